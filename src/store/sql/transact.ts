import type { Kysely, Transaction } from "kysely";
import type { Database } from "./schema.js";

/** PostgreSQL deadlock and serialisation failures, and SQLite's busy lock: the transaction can simply be rerun. */
const RETRYABLE = new Set(["40P01", "40001", "SQLITE_BUSY"]);
const ATTEMPTS = 5;

export async function transact<T>(
  db: Kysely<Database>,
  work: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (!code || !RETRYABLE.has(code) || attempt >= ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}
