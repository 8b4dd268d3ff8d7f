import { type Kysely, sql } from "kysely";

/**
 * Webhooks and their durable outbox, for the legacy migrations of both engines (SQLite 0003, PostgreSQL 0002): the
 * same DDL but for the integer type of times. Frozen with them: a new shape is a new migration.
 */
export async function createWebhookTables(db: Kysely<unknown>, { bigint }: { bigint: "INTEGER" | "BIGINT" }) {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`
    CREATE TABLE webhooks (
      workspace_id TEXT NOT NULL REFERENCES workspaces(id),
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      url TEXT NOT NULL,
      secret TEXT NOT NULL,
      disabled_at ${bigint},
      disabled_reason TEXT,
      consecutive_failures INTEGER NOT NULL DEFAULT 0,
      created_at ${bigint} NOT NULL,
      updated_at ${bigint} NOT NULL
    )`);
  await run(`CREATE INDEX webhooks_workspace ON webhooks (workspace_id, created_at)`);
  await run(`
    CREATE TABLE webhook_triggers (
      workspace_id TEXT NOT NULL,
      webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
      trigger TEXT NOT NULL,
      PRIMARY KEY (webhook_id, trigger)
    )`);
  await run(`CREATE INDEX webhook_triggers_workspace ON webhook_triggers (workspace_id, trigger)`);
  await run(`
    CREATE TABLE webhook_links (
      workspace_id TEXT NOT NULL,
      webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
      link_id TEXT NOT NULL,
      PRIMARY KEY (webhook_id, link_id)
    )`);
  await run(`
    CREATE TABLE webhook_messages (
      workspace_id TEXT NOT NULL,
      id TEXT PRIMARY KEY,
      webhook_id TEXT NOT NULL,
      event_id TEXT NOT NULL,
      trigger TEXT NOT NULL,
      payload TEXT NOT NULL,
      status TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at ${bigint} NOT NULL,
      lease_until ${bigint},
      created_at ${bigint} NOT NULL,
      delivered_at ${bigint},
      last_error TEXT
    )`);
  await run(`CREATE INDEX webhook_messages_due ON webhook_messages (status, next_attempt_at)`);
  await run(
    `CREATE INDEX webhook_messages_webhook ON webhook_messages (workspace_id, webhook_id, created_at)`,
  );
  await run(`CREATE UNIQUE INDEX webhook_messages_event ON webhook_messages (webhook_id, event_id)`);
  await run(`
    CREATE TABLE webhook_attempts (
      workspace_id TEXT NOT NULL,
      id TEXT PRIMARY KEY,
      message_id TEXT NOT NULL,
      webhook_id TEXT NOT NULL,
      attempted_at ${bigint} NOT NULL,
      status_code INTEGER,
      latency_ms INTEGER NOT NULL,
      error TEXT,
      response_excerpt TEXT
    )`);
  await run(`CREATE INDEX webhook_attempts_message ON webhook_attempts (message_id, attempted_at)`);
}
