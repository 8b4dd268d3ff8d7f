import { legacyPostgresMigrations } from "./legacy/postgres/index.js";
import { legacySqliteMigrations } from "./legacy/sqlite/index.js";
import { sharedMigrations } from "./shared/index.js";
import { migrationsFor } from "./shared-migration.js";

export { assertSchemaCurrent, migrateToLatest, SchemaMismatch } from "./runner.js";

export const sqliteMigrations = migrationsFor("sqlite", legacySqliteMigrations, sharedMigrations);
export const postgresMigrations = migrationsFor("postgres", legacyPostgresMigrations, sharedMigrations);
