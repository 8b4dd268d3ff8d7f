import { type Kysely, type Migration, Migrator, sql } from "kysely";
import { ExplainedError } from "../../explained-error.js";

const provider = (migrations: Record<string, Migration>) => ({ getMigrations: async () => migrations });

/** Applies every pending migration (Kysely's migrator locks, so concurrent callers are safe); returns their names. */
export async function migrateToLatest<DB>(
  db: Kysely<DB>,
  migrations: Record<string, Migration>,
): Promise<string[]> {
  const { error, results } = await new Migrator({ db, provider: provider(migrations) }).migrateToLatest();
  if (error) throw error;
  return (results ?? [])
    .filter((result) => result.status === "Success")
    .map((result) => result.migrationName);
}

export class SchemaMismatch extends ExplainedError {}

/** Refuses a database whose schema is behind this code (run `clicktrail migrate`) or ahead of it (upgrade). */
export async function assertSchemaCurrent<DB>(
  db: Kysely<DB>,
  migrations: Record<string, Migration>,
): Promise<void> {
  const known = new Set(Object.keys(migrations));
  let applied: string[];
  try {
    const rows = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(db);
    applied = rows.rows.map((row) => row.name);
  } catch {
    applied = [];
  }
  const pending = [...known].filter((name) => !applied.includes(name));
  const unknown = applied.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new SchemaMismatch(
      `The database schema is newer than this version of Clicktrail (it has ${unknown.join(", ")}): upgrade Clicktrail.`,
    );
  }
  if (pending.length > 0) {
    throw new SchemaMismatch(
      `The database schema is behind this version of Clicktrail (pending: ${pending.join(", ")}): run \`clicktrail migrate\` first.`,
    );
  }
}
