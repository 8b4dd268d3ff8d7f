import { type Kysely, sql } from "kysely";
import type { Engine } from "../shared-migration.js";

/**
 * Who acts, and on which folders (ADR 24). `links.user_id` is the user a link was created as (null before this
 * migration and for keys acting as no user); `api_keys.user_id` the user a key acts as (null: the workspace's
 * own key, as every key was before). `folder_users` holds a user's own role on a folder (`owner`, `editor`,
 * `viewer`), which wins over the folder's `access_level`; it leads with the workspace, and a folder delete
 * removes its rows in the same transaction.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const time = engine === "postgres" ? "BIGINT" : "INTEGER";
  const run = (statement: string) => sql.raw(statement).execute(db);

  await run(`ALTER TABLE links ADD COLUMN user_id TEXT`);
  await run(`ALTER TABLE api_keys ADD COLUMN user_id TEXT`);
  await run(`
    CREATE TABLE folder_users (
      workspace_id TEXT NOT NULL REFERENCES workspaces(id),
      folder_id TEXT NOT NULL,
      user_id TEXT NOT NULL,
      role TEXT NOT NULL,
      created_at ${time} NOT NULL,
      PRIMARY KEY (workspace_id, folder_id, user_id)
    )`);
  await run(`CREATE INDEX folder_users_user ON folder_users (workspace_id, user_id)`);
}
