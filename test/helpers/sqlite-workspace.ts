import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Kysely } from "kysely";
import { prefixedId } from "../../src/domain/ids.js";
import { type Link, newLink } from "../../src/domain/links/model.js";
import { migrateToLatest, sqliteMigrations } from "../../src/store/migrations/index.js";
import { SqlLinkStore } from "../../src/store/sql/link-store.js";
import type { Database } from "../../src/store/sql/schema.js";
import { SqlWorkspaceStore } from "../../src/store/sql/workspace-store.js";
import { openSqlite } from "../../src/store/sqlite/database.js";
import { DubWebhookPayloads } from "../../src/wire/webhook-payloads.js";

/** A migrated SQLite file in a temporary folder holding one workspace, for tests of the stores themselves. */
export async function sqliteWithWorkspace(
  workspaceId: string,
): Promise<{ db: Kysely<Database>; close: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), "clicktrail-store-"));
  const db = openSqlite({ dataDir, synchronous: "normal" });
  await migrateToLatest(db, sqliteMigrations);
  await new SqlWorkspaceStore(db).createWorkspace({
    id: workspaceId,
    name: workspaceId,
    slug: workspaceId.replaceAll("_", "-"),
    allowedHostnames: [],
    createdAt: Date.now(),
  });
  return {
    db,
    close: async () => {
      await db.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A new link of the workspace with conversion tracking, stored as `POST /links` would store it. */
export async function storedLink(db: Kysely<Database>, workspaceId: string): Promise<Link> {
  const now = Date.now();
  const link = newLink({
    id: prefixedId("link"),
    workspaceId,
    domain: "localhost:1",
    key: `k${Math.random().toString(36).slice(2)}`,
    url: "https://example.com/",
    trackConversion: true,
    createdAt: now,
  });
  await new SqlLinkStore(db).insert(
    link,
    new DubWebhookPayloads("http").linkChanged("link.created", link, now),
  );
  return link;
}
