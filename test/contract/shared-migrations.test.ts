// One migration, written once, runs on the store under test (SQLite, or PostgreSQL with
// CLICKTRAIL_TEST_STORE=postgres) with that engine's branch, after the engine's legacy history: on a database
// installed before shared migrations existed (legacy names only, data in it) and on an empty one. The two shared
// migrations here are throwaway, not part of Clicktrail's schema.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Kysely, sql } from "kysely";
import {
  assertSchemaCurrent,
  migrateToLatest,
  postgresMigrations,
  SchemaMismatch,
  sqliteMigrations,
} from "../../src/store/migrations/index.js";
import { legacyPostgresMigrations } from "../../src/store/migrations/legacy/postgres/index.js";
import { legacySqliteMigrations } from "../../src/store/migrations/legacy/sqlite/index.js";
import {
  type Engine,
  migrationsFor,
  type SharedMigration,
} from "../../src/store/migrations/shared-migration.js";
import { openPostgres } from "../../src/store/postgres/database.js";
import type { Database } from "../../src/store/sql/schema.js";
import { openSqlite } from "../../src/store/sqlite/database.js";
import { freshPostgresDatabase } from "../helpers/server.js";

const engine: Engine = process.env.CLICKTRAIL_TEST_STORE === "postgres" ? "postgres" : "sqlite";
const legacy = engine === "postgres" ? legacyPostgresMigrations : legacySqliteMigrations;
const production = engine === "postgres" ? postgresMigrations : sqliteMigrations;

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
const withThrowaway = migrationsFor(engine, legacy, throwaway);

type Opened = { db: Kysely<Database>; close(): Promise<void> };

async function freshDatabase(): Promise<Opened> {
  if (engine === "postgres") {
    const database = await freshPostgresDatabase();
    const { db } = openPostgres({ url: database.url, poolSize: 2 });
    const close = async () => {
      await db.destroy();
      await database.drop();
    };
    return { db, close };
  }
  const dataDir = mkdtempSync(join(tmpdir(), "clicktrail-shared-migrations-"));
  const db = openSqlite({ dataDir, synchronous: "normal" });
  const close = async () => {
    await db.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { db, close };
}

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
  let installed: Opened;
  const createdAt = Date.UTC(2026, 0, 2, 3, 4, 5);

  before(async () => {
    installed = await freshDatabase();
    await migrateToLatest(installed.db, legacy);
    // The live store writes today's columns; a database of the legacy schema takes the legacy ones.
    await sql`INSERT INTO workspaces (id, name, created_at) VALUES ('ws_installed', 'Installed before shared migrations', ${createdAt})`.execute(
      installed.db,
    );
  });
  after(async () => {
    await installed?.close();
  });

  test("today's list is this engine's legacy history under its installed names, then the shared migrations", () => {
    const names = Object.keys(production);
    assert.deepEqual(names.slice(0, Object.keys(legacy).length), Object.keys(legacy));
    assert.deepEqual(names, [...names].sort(), "listed in the order kysely runs them");
  });

  test("a database with only the legacy names takes the shared migrations, in order, once", async () => {
    assert.deepEqual(await appliedNames(installed.db), Object.keys(legacy));
    await assert.rejects(assertSchemaCurrent(installed.db, withThrowaway), SchemaMismatch);

    const applied = await migrateToLatest(installed.db, withThrowaway);

    assert.deepEqual(applied, ["0100_probe_table", "0101_probe_backfill"]);
    assert.deepEqual(await appliedNames(installed.db), [...Object.keys(legacy), ...applied]);
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
    await assert.rejects(assertSchemaCurrent(installed.db, legacy), (error) => {
      assert.ok(error instanceof SchemaMismatch);
      assert.match(error.message, /newer.*0100_probe_table, 0101_probe_backfill/);
      return true;
    });
  });

  test("an empty database runs the legacy history, then the shared migrations", async () => {
    const empty = await freshDatabase();
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
