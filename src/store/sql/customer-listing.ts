import { type Kysely, type RawBuilder, type SqlBool, sql } from "kysely";
import type { Customer, CustomerListing, CustomerSort } from "../../domain/customers/model.js";
import { containing } from "./like.js";
import type { Database } from "./schema.js";

type SortKey = { expression: RawBuilder<number>; of: (customer: Customer) => number };

const createdAt: SortKey = { expression: sql`created_at`, of: (c) => c.createdAt };

/** Nulls sort as the smallest value, as in Dub's MySQL: first ascending, last descending. */
const SORT_KEYS: Record<CustomerSort, SortKey> = {
  createdAt,
  saleAmount: { expression: sql`sale_amount`, of: (c) => c.saleAmount },
  firstSaleAt: { expression: sql`coalesce(first_sale_at, -1)`, of: (c) => c.firstSaleAt ?? -1 },
  // Subscriptions are not tracked, so every customer's subscriptionCanceledAt is null: creation order decides.
  subscriptionCanceledAt: createdAt,
};

export async function listCustomers(db: Kysely<Database>, workspaceId: string, listing: CustomerListing) {
  const { filter, from } = listing;
  const key = SORT_KEYS[listing.sortBy];
  const backwards = "before" in from;
  const direction = backwards === (listing.sortOrder === "asc") ? "desc" : "asc";

  let query = db.selectFrom("customers").selectAll().where("workspace_id", "=", workspaceId);
  if (filter.email !== undefined) query = query.where("email", "=", filter.email);
  else if (filter.externalId !== undefined) query = query.where("external_id", "=", filter.externalId);
  else if (filter.search) {
    const pattern = containing(filter.search.toLowerCase());
    query = query.where((eb) =>
      eb.or(
        (["name", "email", "external_id"] as const).map((column) =>
          eb(eb.fn("lower", [column]), "like", pattern),
        ),
      ),
    );
  }
  if (filter.country !== undefined) query = query.where("country", "=", filter.country);
  if (filter.linkId !== undefined) query = query.where("link_id", "=", filter.linkId);
  if ("offset" in from) query = query.offset(from.offset);
  else {
    const cursor = "after" in from ? from.after : from.before;
    const comparison = sql.raw(direction === "asc" ? ">" : "<");
    query = query.where(
      sql<SqlBool>`(${key.expression}, id) ${comparison} (${key.of(cursor)}, ${cursor.id})`,
    );
  }
  const rows = await query
    .orderBy(key.expression, direction)
    .orderBy("id", direction)
    .limit(listing.pageSize)
    .execute();
  return backwards ? rows.reverse() : rows;
}
