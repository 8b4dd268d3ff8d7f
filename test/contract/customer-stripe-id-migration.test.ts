// 0111_customer_stripe_id on the store under test (SQLite, or PostgreSQL with CLICKTRAIL_TEST_STORE=postgres): the
// customers a Stripe event linked before the column existed get their first Stripe customer as stripe_customer_id;
// a customer linked only to another processor's customer, or to none, keeps null; a Stripe customer belongs to one
// customer of a workspace.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type Kysely, sql } from "kysely";
import { migrateToLatest } from "../../src/store/migrations/index.js";
import type { Database } from "../../src/store/sql/schema.js";
import {
  emptyDatabase,
  engine,
  migrationsBefore,
  productionMigrations,
} from "../helpers/migration-database.js";

let db: Kysely<Database>;
let close: () => Promise<void>;

before(async () => {
  ({ db, close } = await emptyDatabase());
  await migrateToLatest(db, migrationsBefore("0111_customer_stripe_id"));
  await sql`INSERT INTO workspaces (id, name, slug, created_at) VALUES ('ws_1', 'One', 'one', 1)`.execute(db);
  for (const id of ["cus_a", "cus_b", "cus_c"])
    await sql`INSERT INTO customers (id, workspace_id, external_id, name, sales, sale_amount, created_at, updated_at)
      VALUES (${id}, 'ws_1', ${`user_${id}`}, ${id}, 0, 0, 1, 1)`.execute(db);
  const links: [processor: string, processorCustomer: string, customer: string, at: number][] = [
    ["stripe", "cus_StripeLater", "cus_a", 20],
    ["stripe", "cus_StripeFirst", "cus_a", 10],
    ["shopify", "7712345678901", "cus_b", 5],
  ];
  for (const [processor, processorCustomer, customer, at] of links)
    await sql`INSERT INTO integration_customers (workspace_id, processor, processor_customer_id, customer_id, created_at)
      VALUES ('ws_1', ${processor}, ${processorCustomer}, ${customer}, ${at})`.execute(db);
});
after(() => close?.());

test(`0111_customer_stripe_id on ${engine}: each customer's first Stripe customer, null otherwise`, async () => {
  const applied = await migrateToLatest(db, productionMigrations);
  assert.ok(applied.includes("0111_customer_stripe_id"), applied.join(", "));
  const rows = await db.selectFrom("customers").select(["id", "stripe_customer_id"]).orderBy("id").execute();
  assert.deepEqual(Object.fromEntries(rows.map((row) => [row.id, row.stripe_customer_id])), {
    cus_a: "cus_StripeFirst",
    cus_b: null,
    cus_c: null,
  });
  await assert.rejects(
    sql`UPDATE customers SET stripe_customer_id = 'cus_StripeFirst' WHERE id = 'cus_c'`.execute(db),
    /unique|duplicate/i,
    "one customer per Stripe customer in a workspace",
  );
});
