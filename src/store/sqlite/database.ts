import { mkdirSync } from "node:fs";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { type DatabaseConnection, type Driver, Kysely, SqliteDialect, SqliteDriver } from "kysely";
import type { Database } from "../sql/schema.js";

export type SqliteOptions = { dataDir: string; synchronous: "full" | "normal" };

export function openSqlite(options: SqliteOptions): Kysely<Database> {
  mkdirSync(options.dataDir, { recursive: true });
  const connection = new SQLite(join(options.dataDir, "clicktrail.sqlite"));
  connection.pragma("journal_mode = WAL");
  connection.pragma("busy_timeout = 5000");
  connection.pragma(`synchronous = ${options.synchronous.toUpperCase()}`);
  connection.pragma("foreign_keys = ON");
  return new Kysely<Database>({ dialect: new SqliteDialectKeepingErrors(connection) });
}

/**
 * On some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_BUSY, …) SQLite has already rolled the transaction back.
 * Kysely's ROLLBACK would then throw "cannot rollback - no transaction is active", and that error would replace
 * the real one in the caller's hands and in the log. This dialect rolls back only a transaction still open.
 */
class SqliteDialectKeepingErrors extends SqliteDialect {
  constructor(private readonly connection: SQLite.Database) {
    super({ database: connection });
  }

  override createDriver(): Driver {
    return new RollbackOpenTransactionsOnly(this.connection);
  }
}

class RollbackOpenTransactionsOnly extends SqliteDriver {
  constructor(private readonly connection: SQLite.Database) {
    super({ database: connection });
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.connection.inTransaction) await super.rollbackTransaction(connection);
  }
}
