import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { Database } from "../sql/schema.js";

// BIGINT (epoch milliseconds, counters, cents) fits a JavaScript number exactly below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type PostgresOptions = { url: string; poolSize: number };

/** A request waiting longer than this for a connection fails (503), rather than hanging on a dead server. */
const CONNECT_TIMEOUT_MS = 10_000;

export function openPostgres(options: PostgresOptions): { db: Kysely<Database>; pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  pool.on("error", () => {
    // An idle client lost its connection; the pool replaces it, and the next query reports any real outage.
  });
  pool.on("connect", (client) => {
    // The pool listens for errors only on idle clients. A client checked out by a transaction that loses its
    // server between two queries would otherwise emit an unhandled 'error' and end the process; with this
    // listener it becomes unusable instead, its next query fails, and the pool discards it on release.
    client.on("error", () => {});
  });
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), pool };
}
