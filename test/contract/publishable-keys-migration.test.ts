// Migration 0105_publishable_keys on a database installed before it (SQLite, or PostgreSQL with
// CLICKTRAIL_TEST_STORE=postgres): a key stored earlier, or the previous version's way during a scale-out upgrade,
// is a secret key and still authenticates; a publishable key round-trips and never passes as a secret one.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type Kysely, sql } from "kysely";
import { hashApiKey, WorkspaceService } from "../../src/domain/workspaces/workspace-service.js";
import { migrateToLatest } from "../../src/store/migrations/index.js";
import type { Database } from "../../src/store/sql/schema.js";
import { SqlWorkspaceStore } from "../../src/store/sql/workspace-store.js";
import { emptyDatabase, migrationsBefore, productionMigrations } from "../helpers/migration-database.js";

const createdAt = Date.UTC(2026, 0, 2, 3, 4, 5);
const clock = { now: () => createdAt };
let db: Kysely<Database>;
let close: () => Promise<void>;

/** What a server of the previous version writes when it creates a key. */
const insertAsBefore = (id: string, key: string) =>
  sql`INSERT INTO api_keys (id, workspace_id, name, hashed_key, partial_key, created_at)
      VALUES (${id}, 'ws_installed', 'Old', ${hashApiKey(key)}, 'dub_old…', ${createdAt})`.execute(db);

before(async () => {
  ({ db, close } = await emptyDatabase());
  await migrateToLatest(db, migrationsBefore("0105_publishable_keys"));
  await sql`INSERT INTO workspaces (id, name, slug, created_at) VALUES ('ws_installed', 'Installed', 'installed', ${createdAt})`.execute(
    db,
  );
  await insertAsBefore("key_before", "dub_before");
  await migrateToLatest(db, productionMigrations);
});
after(() => close());

test("a key stored before the migration, or the previous version's way after it, is a secret key that authenticates", async () => {
  await insertAsBefore("key_during", "dub_during");
  const service = new WorkspaceService(new SqlWorkspaceStore(db), clock);
  for (const [id, key] of [
    ["key_before", "dub_before"],
    ["key_during", "dub_during"],
  ]) {
    assert.equal((await service.authenticate(key))?.keyId, id, id);
  }
  const kinds = (await service.listKeys("ws_installed")).map((key) => key.kind);
  assert.deepEqual(kinds, ["secret", "secret"]);
});

test("a publishable key round-trips, authenticates only as publishable, and a secret key never as publishable", async () => {
  const service = new WorkspaceService(new SqlWorkspaceStore(db), clock);
  const created = await service.createKey({ workspaceId: "ws_installed", publishable: true });
  const stored = (await service.listKeys("ws_installed")).find((key) => key.id === created.id);
  assert.equal(stored?.kind, "publishable");
  assert.equal(await service.authenticate(created.key), null);
  assert.equal((await service.authenticatePublishable(created.key)).workspaceId, "ws_installed");
  await assert.rejects(service.authenticatePublishable("dub_before"), /Invalid publishable key/);
});
