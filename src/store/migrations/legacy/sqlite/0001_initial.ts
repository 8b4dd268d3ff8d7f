import { randomBytes } from "node:crypto";
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)`.execute(db);
  await sql`INSERT INTO settings (name, value) VALUES ('visitor_hash_secret', ${randomBytes(32).toString("hex")})`.execute(
    db,
  );
  await sql`
    CREATE TABLE workspaces (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      created_at INTEGER NOT NULL
    )`.execute(db);
  await sql`
    CREATE TABLE api_keys (
      workspace_id TEXT NOT NULL REFERENCES workspaces(id),
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      hashed_key TEXT NOT NULL UNIQUE,
      partial_key TEXT NOT NULL,
      scopes TEXT,
      created_at INTEGER NOT NULL,
      last_used_at INTEGER,
      revoked_at INTEGER
    )`.execute(db);
  await sql`CREATE INDEX api_keys_workspace ON api_keys (workspace_id, created_at)`.execute(db);
  await sql`
    CREATE TABLE links (
      workspace_id TEXT NOT NULL REFERENCES workspaces(id),
      id TEXT PRIMARY KEY,
      domain TEXT NOT NULL,
      key TEXT NOT NULL,
      url TEXT NOT NULL,
      external_id TEXT,
      tenant_id TEXT,
      track_conversion INTEGER NOT NULL DEFAULT 0,
      archived INTEGER NOT NULL DEFAULT 0,
      expires_at INTEGER,
      expired_url TEXT,
      disabled_at INTEGER,
      title TEXT,
      description TEXT,
      image TEXT,
      comments TEXT,
      utm_source TEXT,
      utm_medium TEXT,
      utm_campaign TEXT,
      utm_term TEXT,
      utm_content TEXT,
      clicks INTEGER NOT NULL DEFAULT 0,
      leads INTEGER NOT NULL DEFAULT 0,
      conversions INTEGER NOT NULL DEFAULT 0,
      sales INTEGER NOT NULL DEFAULT 0,
      sale_amount INTEGER NOT NULL DEFAULT 0,
      last_clicked INTEGER,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX links_domain_key ON links (domain, key)`.execute(db);
  await sql`CREATE UNIQUE INDEX links_external_id ON links (workspace_id, external_id) WHERE external_id IS NOT NULL`.execute(
    db,
  );
  await sql`CREATE INDEX links_workspace_created ON links (workspace_id, created_at)`.execute(db);
  await sql`CREATE INDEX links_workspace_url ON links (workspace_id, url)`.execute(db);
  await sql`
    CREATE TABLE clicks (
      workspace_id TEXT NOT NULL,
      id TEXT PRIMARY KEY,
      link_id TEXT NOT NULL,
      timestamp INTEGER NOT NULL,
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
      qr INTEGER NOT NULL,
      trigger TEXT NOT NULL,
      utm_source TEXT,
      utm_medium TEXT,
      utm_campaign TEXT,
      utm_term TEXT,
      utm_content TEXT
    )`.execute(db);
  await sql`
    CREATE TABLE click_visitors (
      workspace_id TEXT NOT NULL,
      link_id TEXT NOT NULL,
      identity_hash TEXT NOT NULL,
      click_id TEXT NOT NULL,
      first_seen INTEGER NOT NULL,
      PRIMARY KEY (workspace_id, link_id, identity_hash)
    )`.execute(db);
  await sql`CREATE INDEX clicks_workspace_time ON clicks (workspace_id, timestamp)`.execute(db);
}
