import { type Kysely, sql } from "kysely";
import type { Engine } from "../shared-migration.js";

/**
 * Event columns of the day in progress (ADR 26, "The day in progress"): `until_ms` is where a day's columns end,
 * in ms from the day's start, when they were built before the day was over; NULL (every day built so far) is the
 * whole day.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  await sql
    .raw(`ALTER TABLE event_column_days ADD COLUMN until_ms ${engine === "postgres" ? "BIGINT" : "INTEGER"}`)
    .execute(db);
}
