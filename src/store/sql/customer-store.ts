import type { Kysely, Selectable, Transaction, Updateable } from "kysely";
import type {
  Customer,
  CustomerChanges,
  CustomerDetails,
  CustomerListing,
} from "../../domain/customers/model.js";
import type { CustomerStore } from "../../domain/customers/ports.js";
import { eraseCustomer } from "./customer-erasure.js";
import { listCustomers } from "./customer-listing.js";
import { executeRows } from "./row-statements.js";
import type { CustomerRow, Database } from "./schema.js";
import { transact } from "./transact.js";
import { asUniqueViolation } from "./unique-violation.js";

export class SqlCustomerStore implements CustomerStore {
  constructor(private readonly db: Kysely<Database>) {}

  async findById(workspaceId: string, id: string): Promise<Customer | null> {
    const row = await this.db
      .selectFrom("customers")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .executeTakeFirst();
    return row ? toCustomer(row) : null;
  }

  async findByIds(workspaceId: string, ids: string[]): Promise<Customer[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom("customers")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("id", "in", ids)
      .execute();
    return rows.map(toCustomer);
  }

  async findByExternalId(workspaceId: string, externalId: string): Promise<Customer | null> {
    return findCustomerByExternalId(this.db, workspaceId, externalId);
  }

  async findByStripeCustomerId(workspaceId: string, stripeCustomerId: string): Promise<Customer | null> {
    const row = await this.db
      .selectFrom("customers")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("stripe_customer_id", "=", stripeCustomerId)
      .executeTakeFirst();
    return row ? toCustomer(row) : null;
  }

  async list(workspaceId: string, listing: CustomerListing): Promise<Customer[]> {
    return (await listCustomers(this.db, workspaceId, listing)).map(toCustomer);
  }

  async update(
    workspaceId: string,
    id: string,
    changes: CustomerChanges,
    updatedAt: number,
  ): Promise<Customer | null> {
    const set: Updateable<CustomerRow> = { updated_at: updatedAt };
    if (changes.name !== undefined) set.name = changes.name;
    if (changes.email !== undefined) set.email = changes.email;
    if (changes.avatar !== undefined) set.avatar = changes.avatar;
    if (changes.externalId !== undefined) set.external_id = changes.externalId;
    if (changes.country !== undefined) set.country = changes.country;
    if (changes.stripeCustomerId !== undefined) set.stripe_customer_id = changes.stripeCustomerId;
    try {
      const row = await this.db
        .updateTable("customers")
        .set(set)
        .where("workspace_id", "=", workspaceId)
        .where("id", "=", id)
        .returningAll()
        .executeTakeFirst();
      return row ? toCustomer(row) : null;
    } catch (error) {
      throw asUniqueViolation(error, {
        stripe_customer_id: ["stripe_customer_id"],
        external_id: ["external_id"],
      });
    }
  }

  erase(workspaceId: string, id: string): Promise<boolean> {
    return transact(this.db, (trx) => eraseCustomer(trx, workspaceId, id));
  }

  async getOrCreate(candidate: Customer): Promise<Customer> {
    return transact(this.db, async (trx) => (await getOrCreateCustomers(trx, [candidate]))[0]);
  }

  async updateDetails(
    workspaceId: string,
    id: string,
    details: CustomerDetails,
    updatedAt: number,
  ): Promise<Customer> {
    const row = await this.db
      .updateTable("customers")
      .set({
        ...(details.name !== undefined && details.name !== null ? { name: details.name } : {}),
        ...(details.email !== undefined ? { email: details.email } : {}),
        ...(details.avatar !== undefined ? { avatar: details.avatar } : {}),
        updated_at: updatedAt,
      })
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toCustomer(row);
  }
}

export async function findCustomerByExternalId(
  db: Kysely<Database> | Transaction<Database>,
  workspaceId: string,
  externalId: string,
): Promise<Customer | null> {
  const row = await db
    .selectFrom("customers")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("external_id", "=", externalId)
    .executeTakeFirst();
  return row ? toCustomer(row) : null;
}

/**
 * The stored customer for each candidate, created where the workspace has none with its externalId; answered in
 * the candidates' order. Race-safe: the unique (workspace, external id) index decides which of two concurrent
 * creations wins, and candidates are inserted in key order, one lock order for every writer.
 */
export async function getOrCreateCustomers(
  trx: Transaction<Database>,
  candidates: readonly Customer[],
): Promise<Customer[]> {
  const keyOf = (workspaceId: string, externalId: string) => `${workspaceId}\u0000${externalId}`;
  const firsts = new Map<string, Customer>();
  for (const candidate of candidates) {
    const key = keyOf(candidate.workspaceId, candidate.externalId);
    if (!firsts.has(key)) firsts.set(key, candidate);
  }
  const rows = [...firsts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, c]) => toRow(c));
  for (let i = 0; i < rows.length; i += CHUNK)
    await executeRows(trx, "customers", rows.slice(i, i + CHUNK), (chunk) =>
      trx
        .insertInto("customers")
        .values(chunk)
        .onConflict((oc) => oc.columns(["workspace_id", "external_id"]).doNothing()),
    );
  const stored = new Map<string, Customer>();
  const byWorkspace = new Map<string, Customer[]>();
  for (const candidate of firsts.values()) {
    const group = byWorkspace.get(candidate.workspaceId);
    if (group) group.push(candidate);
    else byWorkspace.set(candidate.workspaceId, [candidate]);
  }
  for (const [workspaceId, group] of byWorkspace)
    for (let i = 0; i < group.length; i += CHUNK) {
      const found = await trx
        .selectFrom("customers")
        .selectAll()
        .where("workspace_id", "=", workspaceId)
        .where(
          "external_id",
          "in",
          group.slice(i, i + CHUNK).map((candidate) => candidate.externalId),
        )
        .execute();
      for (const row of found) stored.set(keyOf(row.workspace_id, row.external_id), toCustomer(row));
    }
  return candidates.map((candidate) => {
    const customer = stored.get(keyOf(candidate.workspaceId, candidate.externalId));
    if (!customer) throw new Error(`customer ${candidate.externalId} vanished inside its own transaction`);
    return customer;
  });
}

const CHUNK = 200;

const nullableNumber = (value: number | string | null) => (value === null ? null : Number(value));

export function toCustomer(row: Selectable<CustomerRow>): Customer {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    externalId: row.external_id,
    name: row.name,
    email: row.email,
    avatar: row.avatar,
    country: row.country,
    clickId: row.click_id,
    linkId: row.link_id,
    clickedAt: nullableNumber(row.clicked_at),
    sales: Number(row.sales),
    saleAmount: Number(row.sale_amount),
    firstSaleAt: nullableNumber(row.first_sale_at),
    stripeCustomerId: row.stripe_customer_id ?? null,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function toRow(customer: Customer): CustomerRow {
  return {
    id: customer.id,
    workspace_id: customer.workspaceId,
    external_id: customer.externalId,
    name: customer.name,
    email: customer.email,
    avatar: customer.avatar,
    country: customer.country,
    click_id: customer.clickId,
    link_id: customer.linkId,
    clicked_at: customer.clickedAt,
    sales: customer.sales,
    sale_amount: customer.saleAmount,
    first_sale_at: customer.firstSaleAt,
    stripe_customer_id: customer.stripeCustomerId,
    created_at: customer.createdAt,
    updated_at: customer.updatedAt,
  };
}
