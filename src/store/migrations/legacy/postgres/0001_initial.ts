import { randomBytes } from "node:crypto";
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
  qr SMALLINT NOT NULL,
  trigger TEXT NOT NULL,
  utm_source TEXT,
  utm_medium TEXT,
  utm_campaign TEXT,
  utm_term TEXT,
  utm_content TEXT`;

/**
 * The same tables as SQLite's 0001+0002, in PostgreSQL types. Event tables (clicks, lead_events, sale_events)
 * are partitioned by month on `timestamp` (epoch ms); partitions are created by `ensurePartitions`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)`);
  await sql`INSERT INTO settings (name, value) VALUES ('visitor_hash_secret', ${randomBytes(32).toString("hex")})`.execute(
    db,
  );
  await run(`
    CREATE TABLE workspaces (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      allowed_hostnames TEXT,
      created_at BIGINT NOT NULL
    )`);
  await run(`
    CREATE TABLE api_keys (
      workspace_id TEXT NOT NULL REFERENCES workspaces(id),
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      hashed_key TEXT NOT NULL UNIQUE,
      partial_key TEXT NOT NULL,
      scopes TEXT,
      created_at BIGINT NOT NULL,
      last_used_at BIGINT,
      revoked_at BIGINT
    )`);
  await run(`CREATE INDEX api_keys_workspace ON api_keys (workspace_id, created_at)`);
  await run(`
    CREATE TABLE links (
      workspace_id TEXT NOT NULL REFERENCES workspaces(id),
      id TEXT PRIMARY KEY,
      domain TEXT NOT NULL,
      key TEXT NOT NULL,
      url TEXT NOT NULL,
      external_id TEXT,
      tenant_id TEXT,
      track_conversion SMALLINT NOT NULL DEFAULT 0,
      archived SMALLINT NOT NULL DEFAULT 0,
      expires_at BIGINT,
      expired_url TEXT,
      disabled_at BIGINT,
      title TEXT,
      description TEXT,
      image TEXT,
      comments TEXT,
      utm_source TEXT,
      utm_medium TEXT,
      utm_campaign TEXT,
      utm_term TEXT,
      utm_content TEXT,
      clicks BIGINT NOT NULL DEFAULT 0,
      leads BIGINT NOT NULL DEFAULT 0,
      conversions BIGINT NOT NULL DEFAULT 0,
      sales BIGINT NOT NULL DEFAULT 0,
      sale_amount BIGINT NOT NULL DEFAULT 0,
      last_clicked BIGINT,
      last_lead_at BIGINT,
      last_conversion_at BIGINT,
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL
    )`);
  await run(`CREATE UNIQUE INDEX links_domain_key ON links (domain, key)`);
  await run(
    `CREATE UNIQUE INDEX links_external_id ON links (workspace_id, external_id) WHERE external_id IS NOT NULL`,
  );
  await run(`CREATE INDEX links_workspace_created ON links (workspace_id, created_at)`);
  await run(`CREATE INDEX links_workspace_url ON links (workspace_id, url)`);
  await run(`
    CREATE TABLE clicks (
      workspace_id TEXT NOT NULL,
      id TEXT NOT NULL,
      link_id TEXT NOT NULL,
      timestamp BIGINT NOT NULL,
      identity_hash TEXT NOT NULL,
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
      engine TEXT NOT NULL,
      ua TEXT NOT NULL,
      referer TEXT NOT NULL,
      referer_url TEXT NOT NULL,
      qr SMALLINT NOT NULL,
      trigger TEXT NOT NULL,
      utm_source TEXT,
      utm_medium TEXT,
      utm_campaign TEXT,
      utm_term TEXT,
      utm_content TEXT,
      PRIMARY KEY (workspace_id, id, timestamp)
    ) PARTITION BY RANGE (timestamp)`);
  await run(`CREATE INDEX clicks_workspace_time ON clicks (workspace_id, timestamp)`);
  await run(`
    CREATE TABLE click_visitors (
      workspace_id TEXT NOT NULL,
      link_id TEXT NOT NULL,
      identity_hash TEXT NOT NULL,
      click_id TEXT NOT NULL,
      first_seen BIGINT NOT NULL,
      PRIMARY KEY (workspace_id, link_id, identity_hash)
    )`);
  await run(`
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
      clicked_at BIGINT,
      sales BIGINT NOT NULL DEFAULT 0,
      sale_amount BIGINT NOT NULL DEFAULT 0,
      first_sale_at BIGINT,
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL
    )`);
  await run(`CREATE UNIQUE INDEX customers_external_id ON customers (workspace_id, external_id)`);
  await run(`CREATE INDEX customers_workspace_created ON customers (workspace_id, created_at)`);
  await run(`
    CREATE TABLE lead_events (
      workspace_id TEXT NOT NULL,
      id TEXT NOT NULL,
      customer_id TEXT NOT NULL,
      timestamp BIGINT NOT NULL,
      event_name TEXT NOT NULL,
      metadata TEXT,${ATTRIBUTION},
      PRIMARY KEY (workspace_id, id, timestamp)
    ) PARTITION BY RANGE (timestamp)`);
  await run(`CREATE INDEX lead_events_customer ON lead_events (workspace_id, customer_id, timestamp)`);
  await run(`CREATE INDEX lead_events_time ON lead_events (workspace_id, timestamp)`);
  await run(`
    CREATE TABLE lead_claims (
      workspace_id TEXT NOT NULL,
      customer_id TEXT NOT NULL,
      event_slug TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      PRIMARY KEY (workspace_id, customer_id, event_slug)
    )`);
  await run(`
    CREATE TABLE sale_events (
      workspace_id TEXT NOT NULL,
      id TEXT NOT NULL,
      customer_id TEXT NOT NULL,
      lead_event_id TEXT NOT NULL,
      timestamp BIGINT NOT NULL,
      event_name TEXT NOT NULL,
      amount BIGINT NOT NULL,
      currency TEXT NOT NULL,
      converted SMALLINT NOT NULL,
      original_amount BIGINT NOT NULL,
      original_currency TEXT NOT NULL,
      payment_processor TEXT NOT NULL,
      invoice_id TEXT,
      metadata TEXT,${ATTRIBUTION},
      PRIMARY KEY (workspace_id, id, timestamp)
    ) PARTITION BY RANGE (timestamp)`);
  await run(`CREATE INDEX sale_events_customer_link ON sale_events (workspace_id, customer_id, link_id)`);
  await run(`CREATE INDEX sale_events_time ON sale_events (workspace_id, timestamp)`);
  await run(`
    CREATE TABLE sale_invoices (
      workspace_id TEXT NOT NULL,
      invoice_id TEXT NOT NULL,
      sale_event_id TEXT NOT NULL,
      receipt TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      PRIMARY KEY (workspace_id, invoice_id)
    )`);
  await run(`
    CREATE TABLE fx_rates (
      currency TEXT NOT NULL,
      source TEXT NOT NULL,
      rate_per_usd DOUBLE PRECISION NOT NULL,
      updated_at BIGINT NOT NULL,
      PRIMARY KEY (currency, source)
    )`);
  for (const table of PARTITIONED_TABLES)
    await run(`CREATE TABLE ${table}_default PARTITION OF ${table} DEFAULT`);
}

const PARTITIONED_TABLES = ["clicks", "lead_events", "sale_events"] as const;
