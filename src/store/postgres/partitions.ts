import { type Kysely, sql } from "kysely";

const LOCK_ID = 7_253_114_001;

/** The event tables partitioned by month: a migration that partitions another table adds it here. */
const PARTITIONED_TABLES = ["clicks", "lead_events", "sale_events"] as const;

/**
 * Monthly partitions for the event tables, from `monthsBack` before `now` to `monthsAhead` after it. Safe from
 * any number of processes at once (an advisory lock serialises them; existing partitions are skipped).
 * Rows outside every month land in the DEFAULT partition, so an insert never fails for want of one.
 */
export async function ensurePartitions<DB>(
  db: Kysely<DB>,
  now = Date.now(),
  { monthsBack = 1, monthsAhead = 2 } = {},
): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${LOCK_ID})`.execute(trx);
    const created: string[] = [];
    const start = new Date(now);
    for (let offset = -monthsBack; offset <= monthsAhead; offset++) {
      const from = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + offset, 1);
      const to = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + offset + 1, 1);
      const month = new Date(from);
      const suffix = `y${month.getUTCFullYear()}m${String(month.getUTCMonth() + 1).padStart(2, "0")}`;
      for (const table of PARTITIONED_TABLES) {
        const name = `${table}_${suffix}`;
        const exists = await sql<{
          found: number;
        }>`SELECT 1 AS found FROM pg_class WHERE relname = ${name}`.execute(trx);
        if (exists.rows.length > 0) continue;
        await sql
          .raw(`CREATE TABLE ${name} PARTITION OF ${table} FOR VALUES FROM (${from}) TO (${to})`)
          .execute(trx);
        created.push(name);
      }
    }
    return created;
  });
}
