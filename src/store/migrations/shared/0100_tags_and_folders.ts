import { type Kysely, sql } from "kysely";
import type { Engine } from "../shared-migration.js";

/**
 * Tags and folders of a workspace's links. A name is unique per workspace whatever its case (`name_key` is the
 * name lower-cased by the application, so both engines agree on what "the same name" is).
 *
 * `link_tags` refers to its link and its tag by (workspace_id, id), so a link can only carry a tag of its own
 * workspace, and deleting either removes the pair through an index that starts with the workspace.
 * `links.folder_id` has no foreign key: a folder is deleted in the transaction that moves its links out, and a
 * key on it would stop `clicktrail copy` from deleting a folder before it has copied the links that left it.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const time = engine === "postgres" ? "BIGINT" : "INTEGER";
  const run = (statement: string) => sql.raw(statement).execute(db);

  await run(`CREATE UNIQUE INDEX links_workspace_id ON links (workspace_id, id)`);
  await run(`ALTER TABLE links ADD COLUMN folder_id TEXT`);
  await run(`CREATE INDEX links_workspace_folder ON links (workspace_id, folder_id)`);

  await run(`
    CREATE TABLE folders (
      workspace_id TEXT NOT NULL REFERENCES workspaces(id),
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      name_key TEXT NOT NULL,
      description TEXT,
      access_level TEXT,
      created_at ${time} NOT NULL,
      updated_at ${time} NOT NULL
    )`);
  await run(`CREATE UNIQUE INDEX folders_workspace_name ON folders (workspace_id, name_key)`);

  await run(`
    CREATE TABLE tags (
      workspace_id TEXT NOT NULL REFERENCES workspaces(id),
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      name_key TEXT NOT NULL,
      color TEXT NOT NULL,
      created_at ${time} NOT NULL,
      updated_at ${time} NOT NULL
    )`);
  await run(`CREATE UNIQUE INDEX tags_workspace_name ON tags (workspace_id, name_key)`);
  await run(`CREATE UNIQUE INDEX tags_workspace_id ON tags (workspace_id, id)`);

  await run(`
    CREATE TABLE link_tags (
      workspace_id TEXT NOT NULL,
      link_id TEXT NOT NULL,
      tag_id TEXT NOT NULL,
      created_at ${time} NOT NULL,
      PRIMARY KEY (workspace_id, link_id, tag_id),
      FOREIGN KEY (workspace_id, link_id) REFERENCES links (workspace_id, id) ON DELETE CASCADE,
      FOREIGN KEY (workspace_id, tag_id) REFERENCES tags (workspace_id, id) ON DELETE CASCADE
    )${engine === "sqlite" ? " WITHOUT ROWID" : ""}`);
  await run(`CREATE INDEX link_tags_tag ON link_tags (workspace_id, tag_id, link_id)`);
}
