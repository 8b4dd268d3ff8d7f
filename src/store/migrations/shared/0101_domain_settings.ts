import { type Kysely, sql } from "kysely";
import type { Engine } from "../shared-migration.js";

/**
 * Domains get Dub's settings and an id. Servers of the previous version may still insert domains (claiming one
 * with a link) while a scale-out install upgrades, with only slug, owner and creation time: so every new column
 * is nullable or has a default, and on PostgreSQL the id has a default that makes one for them. An installed
 * domain gets an id here, and `updated_at` stays null until its first change.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const flag = engine === "postgres" ? "SMALLINT" : "INTEGER";
  const time = engine === "postgres" ? "BIGINT" : "INTEGER";
  // 'dom_' and 26 upper-case hex digits: the shape (not the alphabet) of the ids the server makes.
  const generatedId =
    engine === "postgres"
      ? "'dom_' || upper(substr(md5(random()::text || clock_timestamp()::text), 1, 26))"
      : "'dom_' || upper(substr(hex(randomblob(13)), 1, 26))";
  if (engine === "postgres") {
    await sql.raw(`ALTER TABLE domains ADD COLUMN id TEXT NOT NULL DEFAULT (${generatedId})`).execute(db);
  } else {
    // SQLite adds a column only with a constant default; its servers all run the version that migrated.
    await sql`ALTER TABLE domains ADD COLUMN id TEXT`.execute(db);
    await sql.raw(`UPDATE domains SET id = ${generatedId}`).execute(db);
  }
  await sql`CREATE UNIQUE INDEX domains_id ON domains (id)`.execute(db);
  for (const column of ["placeholder", "expired_url", "not_found_url", "logo"]) {
    await sql.raw(`ALTER TABLE domains ADD COLUMN ${column} TEXT`).execute(db);
  }
  await sql.raw(`ALTER TABLE domains ADD COLUMN archived ${flag} NOT NULL DEFAULT 0`).execute(db);
  await sql.raw(`ALTER TABLE domains ADD COLUMN updated_at ${time}`).execute(db);
}
