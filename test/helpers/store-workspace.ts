import type { Kysely } from "kysely";
import { prefixedId } from "../../src/domain/ids.js";
import { type Link, newLink } from "../../src/domain/links/model.js";
import { migrateToLatest } from "../../src/store/migrations/index.js";
import { SqlLinkStore } from "../../src/store/sql/link-store.js";
import type { Database } from "../../src/store/sql/schema.js";
import { SqlWorkspaceStore } from "../../src/store/sql/workspace-store.js";
import { DubWebhookPayloads } from "../../src/wire/webhook-payloads.js";
import { type EmptyDatabase, emptyDatabase, productionMigrations } from "./migration-database.js";

/**
 * A migrated database of the engine under test (SQLite, or PostgreSQL with CLICKTRAIL_TEST_STORE=postgres) holding
 * one workspace, for tests of the stores themselves.
 */
export async function storeWithWorkspace(workspaceId: string): Promise<EmptyDatabase> {
  const { db, close } = await emptyDatabase();
  await migrateToLatest(db, productionMigrations);
  await new SqlWorkspaceStore(db).createWorkspace({
    id: workspaceId,
    name: workspaceId,
    slug: workspaceId.replaceAll("_", "-"),
    allowedHostnames: [],
    createdAt: Date.now(),
  });
  return { db, close };
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
