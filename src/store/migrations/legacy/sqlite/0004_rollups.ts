import type { Kysely } from "kysely";
import { backfillRollups, createRollupsTable } from "../rollup-tables.js";

export async function up(db: Kysely<unknown>): Promise<void> {
  await createRollupsTable(db, { bigint: "INTEGER", withoutRowid: true });
  await backfillRollups(db, "char(31)");
}
