import { type Kysely, sql } from "kysely";

const ATTRIBUTION = `
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
  utm_content TEXT`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE workspaces ADD COLUMN allowed_hostnames TEXT`.execute(db);
  await sql`ALTER TABLE links ADD COLUMN last_lead_at INTEGER`.execute(db);
  await sql`ALTER TABLE links ADD COLUMN last_conversion_at INTEGER`.execute(db);
  await sql`
    CREATE TABLE customers (
      workspace_id TEXT NOT NULL REFERENCES workspaces(id),
      id TEXT PRIMARY KEY,
      external_id TEXT NOT NULL,
      name TEXT NOT NULL,
      email TEXT,
      avatar TEXT,
      country TEXT,
      click_id TEXT,
      link_id TEXT,
      clicked_at INTEGER,
      sales INTEGER NOT NULL DEFAULT 0,
      sale_amount INTEGER NOT NULL DEFAULT 0,
      first_sale_at INTEGER,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX customers_external_id ON customers (workspace_id, external_id)`.execute(db);
  await sql`CREATE INDEX customers_workspace_created ON customers (workspace_id, created_at)`.execute(db);
  await sql
    .raw(`
    CREATE TABLE lead_events (
      workspace_id TEXT NOT NULL,
      id TEXT PRIMARY KEY,
      customer_id TEXT NOT NULL,
      timestamp INTEGER NOT NULL,
      event_name TEXT NOT NULL,
      metadata TEXT,${ATTRIBUTION}
    )`)
    .execute(db);
  await sql`CREATE INDEX lead_events_customer ON lead_events (workspace_id, customer_id, timestamp)`.execute(
    db,
  );
  await sql`CREATE INDEX lead_events_time ON lead_events (workspace_id, timestamp)`.execute(db);
  await sql`
    CREATE TABLE lead_claims (
      workspace_id TEXT NOT NULL,
      customer_id TEXT NOT NULL,
      event_slug TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (workspace_id, customer_id, event_slug)
    )`.execute(db);
  await sql
    .raw(`
    CREATE TABLE sale_events (
      workspace_id TEXT NOT NULL,
      id TEXT PRIMARY KEY,
      customer_id TEXT NOT NULL,
      lead_event_id TEXT NOT NULL,
      timestamp INTEGER NOT NULL,
      event_name TEXT NOT NULL,
      amount INTEGER NOT NULL,
      currency TEXT NOT NULL,
      converted INTEGER NOT NULL,
      original_amount INTEGER NOT NULL,
      original_currency TEXT NOT NULL,
      payment_processor TEXT NOT NULL,
      invoice_id TEXT,
      metadata TEXT,${ATTRIBUTION}
    )`)
    .execute(db);
  await sql`CREATE INDEX sale_events_customer_link ON sale_events (workspace_id, customer_id, link_id)`.execute(
    db,
  );
  await sql`CREATE INDEX sale_events_time ON sale_events (workspace_id, timestamp)`.execute(db);
  await sql`
    CREATE TABLE sale_invoices (
      workspace_id TEXT NOT NULL,
      invoice_id TEXT NOT NULL,
      sale_event_id TEXT NOT NULL,
      receipt TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (workspace_id, invoice_id)
    )`.execute(db);
  await sql`
    CREATE TABLE fx_rates (
      currency TEXT NOT NULL,
      source TEXT NOT NULL,
      rate_per_usd REAL NOT NULL,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (currency, source)
    )`.execute(db);
}
