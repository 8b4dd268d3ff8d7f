import { type Kysely, type Selectable, sql, type Transaction } from "kysely";
import type { Attribution } from "../../domain/clicks/model.js";
import type { LeadEvent } from "../../domain/conversions/model.js";
import type {
  ConversionStore,
  LeadRecord,
  RecordedLead,
  SaleRecord,
} from "../../domain/conversions/ports.js";
import type { Customer } from "../../domain/customers/model.js";
import { notFound } from "../../domain/errors.js";
import { getOrCreateCustomers } from "./customer-store.js";
import { enqueueOutbox } from "./outbox.js";
import { applyRollups, leadRollup, saleRollup } from "./rollups.js";
import { executeRows } from "./row-statements.js";
import type { AttributionColumns, Database, LeadEventRow } from "./schema.js";
import { transact } from "./transact.js";

export class SqlConversionStore implements ConversionStore {
  constructor(private readonly db: Kysely<Database>) {}

  async recordLead(lead: LeadRecord): Promise<RecordedLead> {
    return (await this.recordLeads([lead]))[0];
  }

  recordLeads(leads: readonly LeadRecord[]): Promise<RecordedLead[]> {
    return transact(this.db, async (trx) => {
      const customers = await getOrCreateCustomers(
        trx,
        leads.map((lead) => lead.customer),
      );
      const claimed = await claimLeads(
        trx,
        leads.map((lead, index) => ({
          workspace_id: customers[index].workspaceId,
          customer_id: customers[index].id,
          event_slug: lead.slug,
          created_at: lead.events[0].timestamp,
        })),
      );
      const recorded = leads.flatMap((lead, index) =>
        claimed[index] ? [{ lead, customer: customers[index] }] : [],
      );
      const rows = recorded.flatMap(({ lead, customer }) =>
        lead.events.map((event) => ({
          ...attributionColumns(event),
          id: event.id,
          workspace_id: event.workspaceId,
          customer_id: customer.id,
          timestamp: event.timestamp,
          event_name: event.eventName,
          metadata: event.metadata === null ? null : JSON.stringify(event.metadata),
        })),
      );
      for (let i = 0; i < rows.length; i += CHUNK)
        await executeRows(trx, "lead_events", rows.slice(i, i + CHUNK), (chunk) =>
          trx.insertInto("lead_events").values(chunk),
        );
      await applyRollups(trx, rows.map(leadRollup), 1);
      for (const [linkId, { workspaceId, count, last }] of leadsPerLink(rows))
        await trx
          .updateTable("links")
          .set((eb) => ({
            leads: eb("leads", "+", count),
            last_lead_at: sql<number>`case when last_lead_at is null or last_lead_at < ${last} then ${last} else last_lead_at end`,
          }))
          .where("workspace_id", "=", workspaceId)
          .where("id", "=", linkId)
          .execute();
      await enqueueOutbox(
        trx,
        recorded.flatMap(({ lead, customer }) => lead.outbox?.(customer) ?? []),
      );
      return leads.map((_, index) => ({ duplicate: !claimed[index], customer: customers[index] }));
    });
  }

  async latestLead(
    workspaceId: string,
    customerId: string,
    eventName: string | null,
  ): Promise<LeadEvent | null> {
    let query = this.db
      .selectFrom("lead_events")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("customer_id", "=", customerId);
    if (eventName !== null) query = query.where("event_name", "=", eventName);
    const row = await query.orderBy("timestamp", "desc").orderBy("id", "desc").limit(1).executeTakeFirst();
    return row ? toLeadEvent(row) : null;
  }

  async receiptForInvoice(workspaceId: string, invoiceId: string): Promise<string | null> {
    const row = await this.db
      .selectFrom("sale_invoices")
      .select("receipt")
      .where("workspace_id", "=", workspaceId)
      .where("invoice_id", "=", invoiceId)
      .executeTakeFirst();
    return row?.receipt ?? null;
  }

  async recordSale({ event, receipt, outbox }: SaleRecord): Promise<{ receipt: string; replayed: boolean }> {
    const outcome = await transact(this.db, async (trx) => {
      if (event.invoiceId !== null) {
        const claimed = await trx
          .insertInto("sale_invoices")
          .values({
            workspace_id: event.workspaceId,
            invoice_id: event.invoiceId,
            sale_event_id: event.id,
            receipt,
            created_at: event.timestamp,
          })
          .onConflict((oc) => oc.doNothing())
          .returning("invoice_id")
          .executeTakeFirst();
        if (!claimed) return null;
      }
      const usd = event.money.converted ? event.money.amount : 0;
      // The customer row first: it serialises a customer's concurrent sales, so the first-conversion check
      // below sees any sale committed before it, and every writer locks customers before links.
      const customer = await trx
        .updateTable("customers")
        .set((eb) => ({
          sales: eb("sales", "+", 1),
          sale_amount: eb("sale_amount", "+", usd),
          first_sale_at: sql<number>`coalesce(first_sale_at, ${event.timestamp})`,
          updated_at: event.timestamp,
        }))
        .where("workspace_id", "=", event.workspaceId)
        .where("id", "=", event.customerId)
        .executeTakeFirst();
      // Deleted since the sale service found it: recording the sale now would bring back what was erased.
      if (Number(customer.numUpdatedRows) === 0) throw notFound("Customer not found.");
      const earlier = await trx
        .selectFrom("sale_events")
        .select("id")
        .where("workspace_id", "=", event.workspaceId)
        .where("customer_id", "=", event.customerId)
        .where("link_id", "=", event.linkId)
        .limit(1)
        .executeTakeFirst();
      const firstConversion = earlier === undefined;
      const row = {
        ...attributionColumns(event),
        id: event.id,
        workspace_id: event.workspaceId,
        customer_id: event.customerId,
        lead_event_id: event.leadEventId,
        timestamp: event.timestamp,
        event_name: event.eventName,
        amount: event.money.amount,
        currency: event.money.currency,
        converted: event.money.converted ? 1 : 0,
        original_amount: event.money.originalAmount,
        original_currency: event.money.originalCurrency,
        payment_processor: event.paymentProcessor,
        invoice_id: event.invoiceId,
        metadata: event.metadata === null ? null : JSON.stringify(event.metadata),
      };
      await trx.insertInto("sale_events").values(row).execute();
      await applyRollups(trx, [saleRollup(row)], 1);
      await trx
        .updateTable("links")
        .set((eb) => ({
          sales: eb("sales", "+", 1),
          sale_amount: eb("sale_amount", "+", usd),
          ...(firstConversion
            ? { conversions: eb("conversions", "+", 1), last_conversion_at: event.timestamp }
            : {}),
        }))
        .where("workspace_id", "=", event.workspaceId)
        .where("id", "=", event.linkId)
        .execute();
      if (outbox) await enqueueOutbox(trx, outbox);
      return receipt;
    });
    if (outcome !== null) return { receipt: outcome, replayed: false };
    const first = await this.receiptForInvoice(event.workspaceId, event.invoiceId as string);
    if (first === null) throw new Error(`invoice ${event.invoiceId} was claimed but has no receipt`);
    return { receipt: first, replayed: true };
  }
}

const CHUNK = 200;

type LeadClaim = { workspace_id: string; customer_id: string; event_slug: string; created_at: number };

/**
 * Whether each lead is the first of its customer and slug: claimed in this batch, and not earlier in it. Claims
 * are inserted in key order, one lock order for every writer.
 */
async function claimLeads(trx: Transaction<Database>, claims: readonly LeadClaim[]): Promise<boolean[]> {
  const keyOf = (claim: Pick<LeadClaim, "customer_id" | "event_slug">) =>
    `${claim.customer_id}\u0000${claim.event_slug}`;
  const firsts = new Map<string, LeadClaim>();
  for (const claim of claims) if (!firsts.has(keyOf(claim))) firsts.set(keyOf(claim), claim);
  const sorted = [...firsts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, claim]) => claim);
  const won = new Set<string>();
  for (let i = 0; i < sorted.length; i += CHUNK) {
    const { rows } = await executeRows(trx, "lead_claims", sorted.slice(i, i + CHUNK), (chunk) =>
      trx
        .insertInto("lead_claims")
        .values(chunk)
        .onConflict((oc) => oc.doNothing())
        .returning(["customer_id", "event_slug"]),
    );
    for (const row of rows) won.add(keyOf(row));
  }
  return claims.map((claim) => won.has(keyOf(claim)) && firsts.get(keyOf(claim)) === claim);
}

/** Leads per link, and the latest of them, in link order (one lock order for every writer). */
function leadsPerLink(
  rows: readonly { workspace_id: string; link_id: string; timestamp: number }[],
): [string, { workspaceId: string; count: number; last: number }][] {
  const counts = new Map<string, { workspaceId: string; count: number; last: number }>();
  for (const row of rows) {
    const entry = counts.get(row.link_id) ?? { workspaceId: row.workspace_id, count: 0, last: 0 };
    entry.count += 1;
    entry.last = Math.max(entry.last, row.timestamp);
    counts.set(row.link_id, entry);
  }
  return [...counts].sort(([a], [b]) => (a < b ? -1 : 1));
}

function attributionColumns(a: Attribution): AttributionColumns {
  return {
    click_id: a.clickId,
    link_id: a.linkId,
    domain: a.domain,
    key: a.key,
    url: a.url,
    ip: a.ip,
    country: a.country,
    continent: a.continent,
    region: a.region,
    city: a.city,
    device: a.device,
    browser: a.browser,
    os: a.os,
    referer: a.referer,
    referer_url: a.refererUrl,
    qr: a.qr ? 1 : 0,
    trigger: a.trigger,
    utm_source: a.utmSource,
    utm_medium: a.utmMedium,
    utm_campaign: a.utmCampaign,
    utm_term: a.utmTerm,
    utm_content: a.utmContent,
  };
}

function toLeadEvent(row: Selectable<LeadEventRow>): LeadEvent {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    customerId: row.customer_id,
    timestamp: Number(row.timestamp),
    eventName: row.event_name,
    metadata: row.metadata === null ? null : JSON.parse(row.metadata),
    clickId: row.click_id,
    linkId: row.link_id,
    domain: row.domain,
    key: row.key,
    url: row.url,
    ip: row.ip,
    country: row.country,
    continent: row.continent,
    region: row.region,
    city: row.city,
    device: row.device,
    browser: row.browser,
    os: row.os,
    referer: row.referer,
    refererUrl: row.referer_url,
    qr: Boolean(row.qr),
    trigger: row.trigger,
    utmSource: row.utm_source,
    utmMedium: row.utm_medium,
    utmCampaign: row.utm_campaign,
    utmTerm: row.utm_term,
    utmContent: row.utm_content,
  };
}
