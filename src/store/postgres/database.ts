import { type Driver, Kysely, PostgresDialect, type PostgresDialectConfig, PostgresDriver } from "kysely";
import pg from "pg";
import { columnScanThreads } from "../scan-threads/pool.js";
import type { ColumnScanner } from "../sql/event-column-scan.js";
import type { Database } from "../sql/schema.js";

// BIGINT (epoch milliseconds, counters, cents) fits a JavaScript number exactly below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type PostgresOptions = {
  url: string;
  poolSize: number;
  /** Reader threads for column scans (`ANALYTICS_THREADS`), a connection each; none: scans run on the event loop. */
  analyticsThreads?: number;
};

/** A request waiting longer than this for a connection fails (503), rather than hanging on a dead server. */
const CONNECT_TIMEOUT_MS = 10_000;

/** The database, its pool, and its column scan threads if any (closed with the database). */
export function openPostgres(options: PostgresOptions): {
  db: Kysely<Database>;
  pool: pg.Pool;
  scanner: ColumnScanner | null;
} {
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
    // JIT compiles a plan whose estimated cost passes jit_above_cost: on an analytics query over a year of
    // partitions that took 2.9 s of a 12 ms execution at 10M clicks. No query here runs long enough to repay it.
    // Set per session (queued before the client's first query) rather than as a startup option, which PgBouncer
    // refuses.
    client.query("SET jit = off").catch(() => {});
  });
  const scanner = columnScanThreads({ postgres: options.url }, options.analyticsThreads ?? 0);
  const dialect = new PostgresDialectKeepingErrors({ pool }, scanner);
  return { db: new Kysely<Database>({ dialect }), pool, scanner };
}

/**
 * When a transaction fails because its connection is gone, kysely's ROLLBACK fails too ("Client has encountered
 * a connection error and is not queryable"), and that error would replace the real one in the caller's hands
 * and in the log. The connection is discarded either way, which ends the transaction on the server; so a
 * failed rollback is dropped and the transaction's own error is the one reported.
 */
class PostgresDialectKeepingErrors extends PostgresDialect {
  constructor(
    private readonly dialectConfig: PostgresDialectConfig,
    private readonly scanner: ColumnScanner | null,
  ) {
    super(dialectConfig);
  }

  override createDriver(): Driver {
    return new PostgresDriverKeepingErrors(this.dialectConfig, this.scanner);
  }
}

class PostgresDriverKeepingErrors extends PostgresDriver {
  constructor(
    config: PostgresDialectConfig,
    private readonly scanner: ColumnScanner | null,
  ) {
    super(config);
  }

  override async destroy(): Promise<void> {
    await this.scanner?.close();
    await super.destroy();
  }

  override async rollbackTransaction(
    connection: Parameters<PostgresDriver["rollbackTransaction"]>[0],
  ): Promise<void> {
    // The parent marks the connection for discard before it throws.
    await super.rollbackTransaction(connection).catch(() => {});
  }
}
