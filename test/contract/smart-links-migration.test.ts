// Migration 0103_smart_links on a database installed before it (SQLite, or PostgreSQL with
// CLICKTRAIL_TEST_STORE=postgres): a link written earlier, or written the previous version's way while a
// scale-out install upgrades, reads back as a plain link; the new options round-trip through the link store.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type Kysely, sql } from "kysely";
import { PLAIN_LINK } from "../../src/domain/links/model.js";
import { migrateToLatest } from "../../src/store/migrations/index.js";
import { SqlLinkStore } from "../../src/store/sql/link-store.js";
import type { Database } from "../../src/store/sql/schema.js";
import { emptyDatabase, migrationsBefore, productionMigrations } from "../helpers/migration-database.js";

const createdAt = Date.UTC(2026, 0, 2, 3, 4, 5);
let db: Kysely<Database>;
let close: () => Promise<void>;

/** What a server of the previous version writes when it creates a link. */
const insertAsBefore = (id: string, key: string) =>
  sql`INSERT INTO links (id, workspace_id, domain, key, url, created_at, updated_at)
      VALUES (${id}, 'ws_installed', 'go.installed.test', ${key}, 'https://example.com/', ${createdAt}, ${createdAt})`.execute(
    db,
  );

before(async () => {
  ({ db, close } = await emptyDatabase());
  await migrateToLatest(db, migrationsBefore("0103_smart_links"));
  await sql`INSERT INTO workspaces (id, name, slug, created_at) VALUES ('ws_installed', 'Installed', 'installed', ${createdAt})`.execute(
    db,
  );
  await insertAsBefore("link_before", "before");
  await migrateToLatest(db, productionMigrations);
});
after(() => close());

test("a link created before the migration, or the previous version's way after it, is a plain link", async () => {
  await insertAsBefore("link_during", "during");
  for (const id of ["link_before", "link_during"]) {
    const link = await new SqlLinkStore(db).findById("ws_installed", id);
    assert.ok(link, id);
    assert.deepEqual(
      Object.fromEntries(Object.keys(PLAIN_LINK).map((field) => [field, link[field as keyof typeof link]])),
      PLAIN_LINK,
    );
  }
});

test("the smart options round-trip through the link store", async () => {
  const store = new SqlLinkStore(db);
  const options = {
    password: "pw",
    proxy: true,
    rewrite: true,
    doIndex: true,
    ios: "https://apps.apple.com/app/id1",
    android: "https://play.google.com/store/apps/details?id=x",
    geo: { US: "https://example.com/us" },
    testVariants: [
      { url: "https://example.com/a", percentage: 25 },
      { url: "https://example.com/b", percentage: 75 },
    ],
    testStartedAt: createdAt,
    testCompletedAt: createdAt + 86_400_000,
  };
  const event = () => ({
    eventId: "evt_x",
    workspaceId: "ws_installed",
    trigger: "link.updated" as const,
    payload: "{}",
    linkId: "link_before",
    createdAt,
  });
  const updated = await store.update("ws_installed", "link_before", options, createdAt + 1, event);
  assert.ok(updated);
  const read = await store.findById("ws_installed", "link_before");
  for (const link of [updated, read]) {
    assert.deepEqual(
      Object.fromEntries(Object.keys(options).map((field) => [field, link?.[field as keyof typeof link]])),
      options,
    );
  }
});
