import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { Database } from "../sql/schema.js";

// BIGINT (epoch milliseconds, counters, cents) fits a JavaScript number exactly below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type PostgresOptions = { url: string; poolSize: number };

export function openPostgres(options: PostgresOptions): { db: Kysely<Database>; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize });
  pool.on("error", () => {
    // An idle client lost its connection; the pool replaces it, and the next query reports any real outage.
  });
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), pool };
}
