import { type Kysely, sql } from "kysely";
import type { Engine } from "../shared-migration.js";

/**
 * API keys get a `kind`: "secret" (every key so far) or "publishable" (`dub_pk_…`, shipped in web pages, allowed
 * only on the browser's track endpoints). The default keeps servers of the previous version inserting secret keys
 * during a scale-out upgrade.
 */
export async function up(db: Kysely<unknown>, _engine: Engine): Promise<void> {
  await sql`ALTER TABLE api_keys ADD COLUMN kind TEXT NOT NULL DEFAULT 'secret'`.execute(db);
}
