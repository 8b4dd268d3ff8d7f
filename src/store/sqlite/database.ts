import { mkdirSync } from "node:fs";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { type Driver, Kysely, SqliteDialect } from "kysely";
import type { Database } from "../sql/schema.js";
import { type CommitUsage, GroupCommitDriver } from "./group-commit-driver.js";

export type SqliteOptions = { dataDir: string; synchronous: "full" | "normal" };

export function openSqlite(options: SqliteOptions): Kysely<Database> {
  return openSqliteStore(options).db;
}

/** The database, and how its group commit is doing (`GroupCommitDriver.stats`). */
export function openSqliteStore(options: SqliteOptions): {
  db: Kysely<Database>;
  commitUsage: () => CommitUsage;
} {
  mkdirSync(options.dataDir, { recursive: true });
  const connection = new SQLite(join(options.dataDir, "clicktrail.sqlite"));
  connection.pragma("journal_mode = WAL");
  connection.pragma("busy_timeout = 5000");
  connection.pragma(`synchronous = ${options.synchronous.toUpperCase()}`);
  connection.pragma("foreign_keys = ON");
  // Every transaction is a savepoint of the group (GroupCommitDriver): its statement journal past 64 KiB would
  // otherwise be written to a temporary file, a system call per page.
  connection.pragma("temp_store = MEMORY");
  const driver = new GroupCommitDriver(connection);
  return {
    db: new Kysely<Database>({ dialect: new GroupCommitSqliteDialect(connection, driver) }),
    commitUsage: () => driver.stats(),
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
