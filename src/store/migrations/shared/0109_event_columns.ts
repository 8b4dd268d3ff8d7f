import { type Kysely, sql } from "kysely";
import type { Engine } from "../shared-migration.js";

/**
 * Event columns (ADR 26): each closed UTC day of a workspace's clicks, leads and sales, one attribute per row,
 * encoded compactly, so that analytics the rollups cannot answer (city, region, two dimensions at once) scan
 * small arrays instead of event rows. Derived from the event tables and rebuilt from them at any time, so the
 * tables start empty: serving processes fill them in the background, day by day.
 *
 * `event_column_days` says what a day's columns were built from (its number of events and USD cents); a day
 * whose counts no longer match the rollups' is stale and read from the events until it is built again.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const big = engine === "postgres" ? "BIGINT" : "INTEGER";
  const blob = engine === "postgres" ? "BYTEA" : "BLOB";
  const run = (statement: string) => sql.raw(statement).execute(db);
  await run(`
    CREATE TABLE event_column_days (
      workspace_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      day ${big} NOT NULL,
      events ${big} NOT NULL,
      amount ${big} NOT NULL,
      built_at ${big} NOT NULL,
      PRIMARY KEY (workspace_id, kind, day)
    )`);
  await run(`
    CREATE TABLE event_columns (
      workspace_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      name TEXT NOT NULL,
      day ${big} NOT NULL,
      data ${blob} NOT NULL,
      PRIMARY KEY (workspace_id, kind, name, day)
    )`);
}
