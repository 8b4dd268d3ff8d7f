// An empty database of the engine under test (SQLite, or PostgreSQL with CLICKTRAIL_TEST_STORE=postgres), with
// the migrations of each engine at hand, for tests that install an older schema and migrate it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Kysely } from "kysely";
import { postgresMigrations, sqliteMigrations } from "../../src/store/migrations/index.js";
import { legacyPostgresMigrations } from "../../src/store/migrations/legacy/postgres/index.js";
import { legacySqliteMigrations } from "../../src/store/migrations/legacy/sqlite/index.js";
import { sharedMigrations } from "../../src/store/migrations/shared/index.js";
import { type Engine, migrationsFor } from "../../src/store/migrations/shared-migration.js";
import { openPostgres } from "../../src/store/postgres/database.js";
import type { Database } from "../../src/store/sql/schema.js";
import { openSqlite } from "../../src/store/sqlite/database.js";
import { freshPostgresDatabase } from "./server.js";

export const engine: Engine = process.env.CLICKTRAIL_TEST_STORE === "postgres" ? "postgres" : "sqlite";
/** The migrations frozen before shared ones began, then every migration a release runs. */
export const legacyMigrations = engine === "postgres" ? legacyPostgresMigrations : legacySqliteMigrations;
export const productionMigrations = engine === "postgres" ? postgresMigrations : sqliteMigrations;

/** What a release before shared migration `name` ran: the legacy history and every shared migration before it. */
export const migrationsBefore = (name: string) =>
  migrationsFor(
    engine,
    legacyMigrations,
    Object.fromEntries(Object.entries(sharedMigrations).filter(([each]) => each < name)),
  );

export type EmptyDatabase = { db: Kysely<Database>; close(): Promise<void> };

export async function emptyDatabase(): Promise<EmptyDatabase> {
  if (engine === "postgres") {
    const database = await freshPostgresDatabase();
    const { db } = openPostgres({ url: database.url, poolSize: 2 });
    return {
      db,
      async close() {
        await db.destroy();
        await database.drop();
      },
    };
  }
  const dataDir = mkdtempSync(join(tmpdir(), "clicktrail-migration-"));
  const db = openSqlite({ dataDir, synchronous: "normal" });
  return {
    db,
    async close() {
      await db.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
