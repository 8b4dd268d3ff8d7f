// 0102_workspace_slug on the store under test (SQLite, or PostgreSQL with CLICKTRAIL_TEST_STORE=postgres): a
// database installed before it, with workspaces in it, gets a unique slug for each, derived from its name in
// creation order; afterwards the store refuses a second workspace with a slug already taken.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type Kysely, sql } from "kysely";
import { UniqueViolation } from "../../src/domain/errors.js";
import { migrateToLatest } from "../../src/store/migrations/index.js";
import type { Database } from "../../src/store/sql/schema.js";
import { SqlWorkspaceStore } from "../../src/store/sql/workspace-store.js";
import {
  emptyDatabase,
  engine,
  legacyMigrations,
  productionMigrations,
} from "../helpers/migration-database.js";

let db: Kysely<Database>;
let close: () => Promise<void>;

/** Installed before shared migrations: workspaces named alike, oddly, at length; inserted out of creation order. */
const INSTALLED: [id: string, name: string, createdAt: number][] = [
  ["ws_c", "Default workspace", 3],
  ["ws_a", "Default workspace", 1],
  ["ws_b", "Default  Workspace!", 2],
  ["ws_d", "X", 4],
  ["ws_e", "日本", 5],
  ["ws_f", "Café Crème GmbH & Co. KG — Niederlassung Süd-West, Abteilung Marketing", 6],
  ["ws_g", "workspace", 7],
];

before(async () => {
  ({ db, close } = await emptyDatabase());
  await migrateToLatest(db, legacyMigrations);
  for (const [id, name, createdAt] of INSTALLED) {
    await sql`INSERT INTO workspaces (id, name, created_at) VALUES (${id}, ${name}, ${createdAt})`.execute(
      db,
    );
  }
});
after(() => close?.());

describe(`0102_workspace_slug on ${engine}`, () => {
  test("backfills one slug per workspace from its name, numbered in creation order", async () => {
    const applied = await migrateToLatest(db, productionMigrations);
    assert.ok(applied.includes("0102_workspace_slug"), applied.join(", "));
    const rows = await db.selectFrom("workspaces").select(["id", "slug"]).orderBy("id").execute();
    assert.deepEqual(Object.fromEntries(rows.map((row) => [row.id, row.slug])), {
      ws_a: "default-workspace",
      ws_b: "default-workspace-2",
      ws_c: "default-workspace-3",
      ws_d: "workspace",
      ws_e: "workspace-2",
      ws_f: "cafe-creme-gmbh-co-kg-niederlassung-sud-west-abt",
      ws_g: "workspace-3",
    });
  });

  test("the live store then reads the slugs and refuses a taken one", async () => {
    const store = new SqlWorkspaceStore(db);
    assert.equal((await store.getWorkspace("ws_a"))?.slug, "default-workspace");
    const taken = { id: "ws_new", name: "New", slug: "workspace-2", allowedHostnames: [], createdAt: 8 };
    await assert.rejects(store.createWorkspace(taken), (error) => {
      assert.ok(error instanceof UniqueViolation);
      assert.equal(error.target, "slug");
      return true;
    });
    await assert.rejects(store.updateWorkspace("ws_a", { slug: "workspace" }), UniqueViolation);
    assert.equal((await store.updateWorkspace("ws_a", { slug: "acme" }))?.slug, "acme");
  });

  // SQLite cannot add a NOT NULL column to a table; there the store always writes one.
  test("PostgreSQL refuses a workspace without a slug", { skip: engine !== "postgres" }, async () => {
    await assert.rejects(
      sql`INSERT INTO workspaces (id, name, created_at) VALUES ('ws_null', 'No slug', 9)`.execute(db),
      /null value in column "slug"/,
    );
  });
});
