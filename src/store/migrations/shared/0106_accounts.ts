import { type Kysely, sql } from "kysely";
import type { Engine } from "../shared-migration.js";

/**
 * Dashboard accounts (issue 12). Users belong to no workspace; `email_key` is the address lower-cased by the
 * application, unique, so both engines agree on "the same email". Memberships, invites and setup tokens belong
 * to a workspace and lead with it. Sessions, invites and setup tokens store only the SHA-256 of their token.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const time = engine === "postgres" ? "BIGINT" : "INTEGER";
  const run = (statement: string) => sql.raw(statement).execute(db);

  await run(`
    CREATE TABLE users (
      id TEXT PRIMARY KEY,
      email TEXT NOT NULL,
      email_key TEXT NOT NULL,
      name TEXT,
      password_hash TEXT NOT NULL,
      created_at ${time} NOT NULL
    )`);
  await run(`CREATE UNIQUE INDEX users_email_key ON users (email_key)`);

  await run(`
    CREATE TABLE memberships (
      workspace_id TEXT NOT NULL REFERENCES workspaces(id),
      user_id TEXT NOT NULL REFERENCES users(id),
      role TEXT NOT NULL,
      created_at ${time} NOT NULL,
      PRIMARY KEY (workspace_id, user_id)
    )`);
  await run(`CREATE INDEX memberships_user ON memberships (user_id)`);

  await run(`
    CREATE TABLE sessions (
      id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES users(id),
      token_hash TEXT NOT NULL,
      csrf_token TEXT NOT NULL,
      created_at ${time} NOT NULL,
      expires_at ${time} NOT NULL,
      last_seen_at ${time} NOT NULL
    )`);
  await run(`CREATE UNIQUE INDEX sessions_token_hash ON sessions (token_hash)`);
  await run(`CREATE INDEX sessions_user ON sessions (user_id)`);
  await run(`CREATE INDEX sessions_expiry ON sessions (expires_at)`);

  await run(`
    CREATE TABLE invites (
      workspace_id TEXT NOT NULL REFERENCES workspaces(id),
      id TEXT PRIMARY KEY,
      token_hash TEXT NOT NULL,
      email TEXT NOT NULL,
      role TEXT NOT NULL,
      invited_by TEXT,
      created_at ${time} NOT NULL,
      expires_at ${time} NOT NULL,
      accepted_at ${time},
      revoked_at ${time}
    )`);
  await run(`CREATE UNIQUE INDEX invites_token_hash ON invites (token_hash)`);
  await run(`CREATE INDEX invites_workspace ON invites (workspace_id, created_at)`);

  await run(`
    CREATE TABLE setup_tokens (
      workspace_id TEXT NOT NULL REFERENCES workspaces(id),
      id TEXT PRIMARY KEY,
      token_hash TEXT NOT NULL,
      created_at ${time} NOT NULL,
      expires_at ${time} NOT NULL,
      used_at ${time}
    )`);
  await run(`CREATE UNIQUE INDEX setup_tokens_token_hash ON setup_tokens (token_hash)`);
}
