import { type Kysely, sql } from "kysely";
import type { Engine } from "../shared-migration.js";

/**
 * Payment processor integrations (issue 13): a signing secret per workspace and processor; every processor
 * event received, kept under its id (the redelivery dedupe) with what it became; the processor's customers and
 * payments mapped to ours; refunds as events of their own, carrying their sale's attribution so analytics can
 * read them as they read sales.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const time = engine === "postgres" ? "BIGINT" : "INTEGER";
  const money = engine === "postgres" ? "BIGINT" : "INTEGER";
  const run = (statement: string) => sql.raw(statement).execute(db);

  await run(`
    CREATE TABLE integrations (
      workspace_id TEXT NOT NULL REFERENCES workspaces(id),
      processor TEXT NOT NULL,
      secret TEXT NOT NULL,
      previous_secret TEXT,
      previous_secret_until ${time},
      created_at ${time} NOT NULL,
      updated_at ${time} NOT NULL,
      PRIMARY KEY (workspace_id, processor)
    )`);

  await run(`
    CREATE TABLE integration_events (
      workspace_id TEXT NOT NULL,
      processor TEXT NOT NULL,
      event_id TEXT NOT NULL,
      type TEXT NOT NULL,
      payload TEXT,
      livemode INTEGER NOT NULL,
      received_at ${time} NOT NULL,
      status TEXT NOT NULL,
      reason TEXT,
      awaiting TEXT,
      sale_event_id TEXT,
      refund_id TEXT,
      customer_id TEXT,
      invoice_id TEXT,
      attempts INTEGER NOT NULL,
      lease_until ${time},
      processed_at ${time},
      PRIMARY KEY (workspace_id, processor, event_id)
    )`);
  await run(`CREATE INDEX integration_events_received ON integration_events (workspace_id, received_at)`);
  await run(`CREATE INDEX integration_events_due ON integration_events (status, received_at)`);
  await run(`CREATE INDEX integration_events_customer ON integration_events (workspace_id, customer_id)`);

  await run(`
    CREATE TABLE integration_customers (
      workspace_id TEXT NOT NULL,
      processor TEXT NOT NULL,
      processor_customer_id TEXT NOT NULL,
      customer_id TEXT NOT NULL,
      created_at ${time} NOT NULL,
      PRIMARY KEY (workspace_id, processor, processor_customer_id)
    )`);
  await run(
    `CREATE INDEX integration_customers_customer ON integration_customers (workspace_id, customer_id)`,
  );

  await run(`
    CREATE TABLE integration_payments (
      workspace_id TEXT NOT NULL,
      processor TEXT NOT NULL,
      payment_key TEXT NOT NULL,
      invoice_id TEXT NOT NULL,
      created_at ${time} NOT NULL,
      PRIMARY KEY (workspace_id, processor, payment_key)
    )`);

  await run(`
    CREATE TABLE refund_events (
      id TEXT NOT NULL,
      workspace_id TEXT NOT NULL,
      sale_event_id TEXT NOT NULL,
      customer_id TEXT NOT NULL,
      processor TEXT NOT NULL,
      refund_key TEXT NOT NULL,
      timestamp ${time} NOT NULL,
      amount ${money} NOT NULL,
      currency TEXT NOT NULL,
      converted INTEGER NOT NULL,
      original_amount ${money} NOT NULL,
      original_currency TEXT NOT NULL,
      reason TEXT,
      metadata TEXT,
      click_id TEXT NOT NULL,
      link_id TEXT NOT NULL,
      domain TEXT NOT NULL,
      key TEXT NOT NULL,
      url TEXT NOT NULL,
      ip TEXT NOT NULL,
      country TEXT NOT NULL,
      continent TEXT NOT NULL,
      region TEXT NOT NULL,
      city TEXT NOT NULL,
      device TEXT NOT NULL,
      browser TEXT NOT NULL,
      os TEXT NOT NULL,
      referer TEXT NOT NULL,
      referer_url TEXT NOT NULL,
      qr INTEGER NOT NULL,
      trigger TEXT NOT NULL,
      utm_source TEXT,
      utm_medium TEXT,
      utm_campaign TEXT,
      utm_term TEXT,
      utm_content TEXT,
      PRIMARY KEY (workspace_id, id)
    )`);
  await run(`CREATE UNIQUE INDEX refund_events_key ON refund_events (workspace_id, processor, refund_key)`);
  await run(`CREATE INDEX refund_events_sale ON refund_events (workspace_id, sale_event_id)`);
  await run(`CREATE INDEX refund_events_time ON refund_events (workspace_id, timestamp)`);
}
