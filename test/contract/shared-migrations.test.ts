// One migration, written once, runs on the store under test (SQLite, or PostgreSQL with
// CLICKTRAIL_TEST_STORE=postgres) with that engine's branch, after the engine's legacy history: on a database
// installed before shared migrations existed (legacy names only, data in it) and on an empty one. The two shared
// migrations here are throwaway, not part of Clicktrail's schema.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type Kysely, sql } from "kysely";
import { assertSchemaCurrent, migrateToLatest, SchemaMismatch } from "../../src/store/migrations/index.js";
import { migrationsFor, type SharedMigration } from "../../src/store/migrations/shared-migration.js";
import type { Database } from "../../src/store/sql/schema.js";
import {
  type EmptyDatabase,
  emptyDatabase,
  engine,
  legacyMigrations,
  productionMigrations,
} from "../helpers/migration-database.js";

const throwaway: Record<string, SharedMigration> = {
  "0100_probe_table": {
    async up(db, engine) {
      const time = engine === "postgres" ? "BIGINT" : "INTEGER";
      await sql
        .raw(`
          CREATE TABLE probe (
            workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id),
            engine TEXT NOT NULL,
            at ${time} NOT NULL
          )${engine === "sqlite" ? " WITHOUT ROWID" : ""}`)
        .execute(db);
    },
  },
  "0101_probe_backfill": {
    async up(db, engine) {
      await sql`INSERT INTO probe (workspace_id, engine, at) SELECT id, ${engine}, created_at FROM workspaces`.execute(
        db,
      );
    },
  },
};
const withThrowaway = migrationsFor(engine, legacyMigrations, throwaway);

const appliedNames = async (db: Kysely<Database>) =>
  (await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(db)).rows.map(
    (row) => row.name,
  );

const timeColumnType = async (db: Kysely<Database>) => {
  const query =
    engine === "postgres"
      ? sql<{ type: string }>`SELECT data_type AS type FROM information_schema.columns
          WHERE table_name = 'probe' AND column_name = 'at'`
      : sql<{ type: string }>`SELECT type FROM pragma_table_info('probe') WHERE name = 'at'`;
  return (await query.execute(db)).rows[0]?.type;
};

describe(`shared migrations on ${engine}`, () => {
  let installed: EmptyDatabase;
  const createdAt = Date.UTC(2026, 0, 2, 3, 4, 5);

  before(async () => {
    installed = await emptyDatabase();
    await migrateToLatest(installed.db, legacyMigrations);
    // The live store writes today's columns; a database of the legacy schema takes the legacy ones.
    await sql`INSERT INTO workspaces (id, name, created_at) VALUES ('ws_installed', 'Installed before shared migrations', ${createdAt})`.execute(
      installed.db,
    );
  });
  after(async () => {
    await installed?.close();
  });

  test("today's list is this engine's legacy history under its installed names, then the shared migrations", () => {
    const names = Object.keys(productionMigrations);
    assert.deepEqual(names.slice(0, Object.keys(legacyMigrations).length), Object.keys(legacyMigrations));
    assert.deepEqual(names, [...names].sort(), "listed in the order kysely runs them");
  });

  test("a database with only the legacy names takes the shared migrations, in order, once", async () => {
    assert.deepEqual(await appliedNames(installed.db), Object.keys(legacyMigrations));
    await assert.rejects(assertSchemaCurrent(installed.db, withThrowaway), SchemaMismatch);

    const applied = await migrateToLatest(installed.db, withThrowaway);

    assert.deepEqual(applied, ["0100_probe_table", "0101_probe_backfill"]);
    assert.deepEqual(await appliedNames(installed.db), [...Object.keys(legacyMigrations), ...applied]);
    await assertSchemaCurrent(installed.db, withThrowaway);
    assert.deepEqual(await migrateToLatest(installed.db, withThrowaway), [], "nothing left to apply");
  });

  test("each shared migration took this engine's branch and kept the existing rows", async () => {
    const rows = (
      await sql<{ workspace_id: string; engine: string; at: string | number }>`
      SELECT workspace_id, engine, at FROM probe`.execute(installed.db)
    ).rows;
    assert.deepEqual(
      rows.map((row) => ({ ...row, at: Number(row.at) })),
      [{ workspace_id: "ws_installed", engine, at: createdAt }],
    );
    assert.equal(await timeColumnType(installed.db), engine === "postgres" ? "bigint" : "INTEGER");
  });

  test("a version that lacks the shared migrations refuses the upgraded database", async () => {
    await assert.rejects(assertSchemaCurrent(installed.db, legacyMigrations), (error) => {
      assert.ok(error instanceof SchemaMismatch);
      assert.match(error.message, /newer.*0100_probe_table, 0101_probe_backfill/);
      return true;
    });
  });

  test("an empty database runs the legacy history, then the shared migrations", async () => {
    const empty = await emptyDatabase();
    try {
      const applied = await migrateToLatest(empty.db, withThrowaway);
      assert.deepEqual(applied, Object.keys(withThrowaway));
      assert.deepEqual(await appliedNames(empty.db), applied);
      assert.equal(await timeColumnType(empty.db), engine === "postgres" ? "bigint" : "INTEGER");
    } finally {
      await empty.close();
    }
  });
});
