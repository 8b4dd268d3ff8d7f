import { mkdirSync } from "node:fs";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { type Driver, Kysely, SqliteDialect } from "kysely";
import type { Database } from "../sql/schema.js";
import { GroupCommitDriver } from "./group-commit-driver.js";

export type SqliteOptions = { dataDir: string; synchronous: "full" | "normal" };

export function openSqlite(options: SqliteOptions): Kysely<Database> {
  mkdirSync(options.dataDir, { recursive: true });
  const connection = new SQLite(join(options.dataDir, "clicktrail.sqlite"));
  connection.pragma("journal_mode = WAL");
  connection.pragma("busy_timeout = 5000");
  connection.pragma(`synchronous = ${options.synchronous.toUpperCase()}`);
  connection.pragma("foreign_keys = ON");
  return new Kysely<Database>({ dialect: new GroupCommitSqliteDialect(connection) });
}

/** Kysely's SQLite dialect with transactions committed in groups (`GroupCommitDriver`). */
class GroupCommitSqliteDialect extends SqliteDialect {
  constructor(private readonly connection: SQLite.Database) {
    super({ database: connection });
  }

  override createDriver(): Driver {
    return new GroupCommitDriver(this.connection);
  }
}
