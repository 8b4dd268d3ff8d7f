import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE domains (
      slug TEXT PRIMARY KEY,
      workspace_id TEXT NOT NULL REFERENCES workspaces(id),
      created_at INTEGER NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX domains_workspace ON domains (workspace_id, slug)`.execute(db);
}
