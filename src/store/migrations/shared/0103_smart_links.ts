import { type Kysely, sql } from "kysely";
import type { Engine } from "../shared-migration.js";

/**
 * Links get Dub's smart options in their own row, so that the one lookup a redirect makes (and the link cache that
 * keeps its answer) has them: a password, device and country targets, an A/B test, and the preview, cloaking and
 * indexing flags. `geo` and `test_variants` are JSON text. Every column is nullable or has a default, so servers
 * of the previous version keep inserting links during a scale-out upgrade.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const flag = engine === "postgres" ? "SMALLINT" : "INTEGER";
  const time = engine === "postgres" ? "BIGINT" : "INTEGER";
  for (const column of ["password", "ios", "android", "geo", "test_variants"]) {
    await sql.raw(`ALTER TABLE links ADD COLUMN ${column} TEXT`).execute(db);
  }
  for (const column of ["test_started_at", "test_completed_at"]) {
    await sql.raw(`ALTER TABLE links ADD COLUMN ${column} ${time}`).execute(db);
  }
  for (const column of ["proxy", "rewrite", "do_index"]) {
    await sql.raw(`ALTER TABLE links ADD COLUMN ${column} ${flag} NOT NULL DEFAULT 0`).execute(db);
  }
}
