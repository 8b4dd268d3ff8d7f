import { type Kysely, sql } from "kysely";
import type { Engine } from "../shared-migration.js";

/**
 * A customer's Stripe customer (`cus_…`), answered as `stripeCustomerId` in its JSON: the first one a Stripe event
 * linked to it (filled in from the links recorded before this column existed), or the one `PATCH /customers/{id}`
 * set. One customer per Stripe customer in a workspace, as in Dub.
 */
export async function up(db: Kysely<unknown>, _engine: Engine): Promise<void> {
  await sql`ALTER TABLE customers ADD COLUMN stripe_customer_id TEXT`.execute(db);
  await sql`
    UPDATE customers SET stripe_customer_id = (
      SELECT ic.processor_customer_id FROM integration_customers ic
      WHERE ic.workspace_id = customers.workspace_id AND ic.customer_id = customers.id AND ic.processor = 'stripe'
      ORDER BY ic.created_at, ic.processor_customer_id LIMIT 1
    )
    WHERE EXISTS (
      SELECT 1 FROM integration_customers linked
      WHERE linked.workspace_id = customers.workspace_id AND linked.customer_id = customers.id
        AND linked.processor = 'stripe'
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX customers_stripe_customer_id ON customers (workspace_id, stripe_customer_id)`.execute(
    db,
  );
}
