// Migration 0107_link_tag_order on a database installed before it (SQLite, or PostgreSQL with
// CLICKTRAIL_TEST_STORE=postgres): a link tagged earlier, or tagged the previous version's way while a scale-out
// install upgrades, still shows its tags by name; tags written afterwards keep the order they were given in.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type Kysely, sql } from "kysely";
import { migrateToLatest } from "../../src/store/migrations/index.js";
import { SqlLinkStore } from "../../src/store/sql/link-store.js";
import type { Database } from "../../src/store/sql/schema.js";
import { emptyDatabase, migrationsBefore, productionMigrations } from "../helpers/migration-database.js";

const createdAt = Date.UTC(2026, 0, 2, 3, 4, 5);
let db: Kysely<Database>;
let close: () => Promise<void>;

const TAGS = [
  { id: "tag_z", name: "zulu", color: "red" as const },
  { id: "tag_a", name: "Alpha", color: "blue" as const },
  { id: "tag_m", name: "mike", color: "green" as const },
];

/** What a server of the previous version writes when it creates a link with tags. */
async function tagAsBefore(linkId: string, key: string) {
  await sql`INSERT INTO links (id, workspace_id, domain, key, url, created_at, updated_at)
      VALUES (${linkId}, 'ws_installed', 'go.installed.test', ${key}, 'https://example.com/', ${createdAt}, ${createdAt})`.execute(
    db,
  );
  for (const tag of TAGS)
    await sql`INSERT INTO link_tags (workspace_id, link_id, tag_id, created_at)
        VALUES ('ws_installed', ${linkId}, ${tag.id}, ${createdAt})`.execute(db);
}

before(async () => {
  ({ db, close } = await emptyDatabase());
  await migrateToLatest(db, migrationsBefore("0107_link_tag_order"));
  await sql`INSERT INTO workspaces (id, name, slug, created_at) VALUES ('ws_installed', 'Installed', 'installed', ${createdAt})`.execute(
    db,
  );
  for (const tag of TAGS)
    await sql`INSERT INTO tags (id, workspace_id, name, name_key, color, created_at, updated_at)
        VALUES (${tag.id}, 'ws_installed', ${tag.name}, ${tag.name.toLowerCase()}, ${tag.color}, ${createdAt}, ${createdAt})`.execute(
      db,
    );
  await tagAsBefore("link_before", "before");
  await migrateToLatest(db, productionMigrations);
});
after(() => close());

test("tags attached before the migration, or the previous version's way after it, read by name", async () => {
  await tagAsBefore("link_during", "during");
  const store = new SqlLinkStore(db);
  for (const id of ["link_before", "link_during"]) {
    const link = await store.findById("ws_installed", id);
    assert.deepEqual(
      link?.tags.map((tag) => tag.name),
      ["Alpha", "mike", "zulu"],
      id,
    );
  }
});

test("tags written after it keep the order given, on a link tagged before as on a new one", async () => {
  const store = new SqlLinkStore(db);
  const event = (linkId: string) => () => ({
    eventId: `evt_${linkId}`,
    workspaceId: "ws_installed",
    trigger: "link.updated" as const,
    payload: "{}",
    linkId,
    createdAt,
  });
  const given = [TAGS[2], TAGS[0], TAGS[1]];
  const updated = await store.update("ws_installed", "link_before", {}, createdAt + 1, event("link_before"), {
    tags: given,
  });
  const read = await store.findById("ws_installed", "link_before");
  for (const link of [updated, read]) assert.deepEqual(link?.tags, given);
  const untouched = await store.findById("ws_installed", "link_during");
  assert.deepEqual(
    untouched?.tags.map((tag) => tag.name),
    ["Alpha", "mike", "zulu"],
  );
});
