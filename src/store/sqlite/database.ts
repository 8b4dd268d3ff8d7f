import { mkdirSync } from "node:fs";
import SQLite from "better-sqlite3";
import { type Driver, Kysely, SqliteDialect } from "kysely";
import { columnScanThreads } from "../scan-threads/pool.js";
import type { ColumnScanner } from "../sql/event-column-scan.js";
import type { Database } from "../sql/schema.js";
import { databaseFile } from "./files.js";
import { type CommitUsage, GroupCommitDriver } from "./group-commit-driver.js";

export type SqliteOptions = {
  dataDir: string;
  synchronous: "full" | "normal";
  /** Reader threads for column scans (`ANALYTICS_THREADS`); none: scans run on the event loop. */
  analyticsThreads?: number;
};

export function openSqlite(options: SqliteOptions): Kysely<Database> {
  return openSqliteStore(options).db;
}

/**
 * The database, how its group commit is doing (`GroupCommitDriver.stats`), and its column scan threads if any
 * (closed with the database).
 */
export function openSqliteStore(options: SqliteOptions): {
  db: Kysely<Database>;
  commitUsage: () => CommitUsage;
  scanner: ColumnScanner | null;
} {
  mkdirSync(options.dataDir, { recursive: true });
  const file = databaseFile(options.dataDir);
  const connection = new SQLite(file);
  connection.pragma("journal_mode = WAL");
  connection.pragma("busy_timeout = 5000");
  connection.pragma(`synchronous = ${options.synchronous.toUpperCase()}`);
  connection.pragma("foreign_keys = ON");
  // Every transaction is a savepoint of the group (GroupCommitDriver): its statement journal past 64 KiB would
  // otherwise be written to a temporary file, a system call per page.
  connection.pragma("temp_store = MEMORY");
  const driver = new GroupCommitDriver(connection);
  const scanner = columnScanThreads({ sqlite: file }, options.analyticsThreads ?? 0);
  if (scanner) driver.closeWith(() => scanner.close());
  return {
    db: new Kysely<Database>({ dialect: new GroupCommitSqliteDialect(connection, driver) }),
    commitUsage: () => driver.stats(),
    scanner,
  };
}

/** Kysely's SQLite dialect with transactions committed in groups (`GroupCommitDriver`). */
class GroupCommitSqliteDialect extends SqliteDialect {
  constructor(
    connection: SQLite.Database,
    private readonly driver: GroupCommitDriver,
  ) {
    super({ database: connection });
  }

  override createDriver(): Driver {
    return this.driver;
  }
}
