import { type Kysely, sql } from "kysely";
import type { Engine } from "../shared-migration.js";

/**
 * Month rollups (ADR 37): the day rollups of each closed UTC month summed once, so that a long range reads a row
 * per month and value instead of one per day. Derived from the day rollups and built again from them at any time,
 * so the tables start empty: serving processes fill them in the background, month by month.
 *
 * `month_rollup_builds` says what a month's rows were built from (the workspace's day totals); a month whose day
 * totals no longer match is stale and read from its days until it is built again.
 *
 * The value comes before the month in the key (in `rollups` it comes after the day): a value filter under a links
 * filter or a grouping by link (`top_links` where `country=US`) then seeks its twelve rows a year per link instead
 * of visiting every value of every month.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const big = engine === "postgres" ? "BIGINT" : "INTEGER";
  const run = (statement: string) => sql.raw(statement).execute(db);
  await run(`
    CREATE TABLE month_rollups (
      workspace_id TEXT NOT NULL,
      dimension TEXT NOT NULL,
      link_id TEXT NOT NULL,
      period ${big} NOT NULL,
      value TEXT NOT NULL,
      clicks ${big} NOT NULL,
      leads ${big} NOT NULL,
      sales ${big} NOT NULL,
      sale_amount ${big} NOT NULL,
      PRIMARY KEY (workspace_id, dimension, link_id, value, period)
    )${engine === "sqlite" ? " WITHOUT ROWID" : ""}`);
  await run(`
    CREATE TABLE month_rollup_builds (
      workspace_id TEXT NOT NULL,
      month ${big} NOT NULL,
      clicks ${big} NOT NULL,
      leads ${big} NOT NULL,
      sales ${big} NOT NULL,
      sale_amount ${big} NOT NULL,
      built_at ${big} NOT NULL,
      PRIMARY KEY (workspace_id, month)
    )`);
}
