import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import SQLite from "better-sqlite3";
import { sqliteMigrations } from "../migrations/index.js";
import { CopyError } from "./copy-error.js";
import { EVENT_TABLES, type TableSpec } from "./tables.js";

export type SourceRow = { rowid: number; values: unknown[] };

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * The SQLite database to copy from, opened read-only: it is never written, so the servers using it may be
 * stopped or still running. Every read happens inside one read transaction, so a run copies and verifies one
 * consistent snapshot even while servers keep writing (WAL mode lets them).
 */
export class SqliteSource {
  private readonly statements = new Map<string, SQLite.Statement>();
  private readonly primaryKeys = new Map<string, string[] | null>();
  private readonly cursors = new Map<string, { position: number; key: unknown[] }>();

  private constructor(
    readonly file: string,
    private readonly db: SQLite.Database,
  ) {}

  /** The database file `from` names: a data directory holding clicktrail.sqlite, the file, or `sqlite:<either>`. */
  static fileOf(from: string): string {
    const path = resolve(from.replace(/^sqlite:/, ""));
    return existsSync(path) && statSync(path).isDirectory() ? join(path, "clicktrail.sqlite") : path;
  }

  /** `from` is a data directory holding clicktrail.sqlite, the file itself, or `sqlite:<either>`. */
  static open(from: string): SqliteSource {
    const file = SqliteSource.fileOf(from);
    if (!existsSync(file) || !statSync(file).isFile()) {
      throw new CopyError(
        `No Clicktrail database at ${file}: --from names a data directory holding clicktrail.sqlite (or the file).`,
      );
    }
    let db: SQLite.Database;
    try {
      db = new SQLite(file, { readonly: true, fileMustExist: true });
      db.pragma("busy_timeout = 5000");
    } catch (error) {
      throw new CopyError(`Cannot open ${file} read-only: ${(error as Error).message}`);
    }
    const source = new SqliteSource(file, db);
    source.beginSnapshot();
    return source;
  }

  private beginSnapshot(): void {
    this.db.exec("BEGIN");
    try {
      this.db.prepare("SELECT count(*) FROM sqlite_master").get();
    } catch (error) {
      this.close();
      throw new CopyError(`${this.file} is not a readable SQLite database: ${(error as Error).message}`);
    }
  }

  close(): void {
    if (this.db.inTransaction) this.db.exec("ROLLBACK");
    this.db.close();
  }

  /** Refuses a source whose schema this version does not know exactly: every column must have a home. */
  assertSchemaCurrent(): void {
    const hasTable = this.db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kysely_migration'")
      .get();
    const applied = hasTable
      ? (this.db.prepare("SELECT name FROM kysely_migration").pluck().all() as string[])
      : [];
    const known = Object.keys(sqliteMigrations);
    const unknown = applied.filter((name) => !known.includes(name));
    const pending = known.filter((name) => !applied.includes(name));
    if (unknown.length > 0) {
      throw new CopyError(
        `${this.file} was written by a newer Clicktrail (migrations ${unknown.join(", ")}): copy with that version.`,
      );
    }
    if (pending.length > 0) {
      throw new CopyError(
        `${this.file} is at an older schema (pending: ${pending.join(", ")}): start this version of Clicktrail on it ` +
          "once, or run `clicktrail migrate` with DATA_DIR set to its directory, then copy.",
      );
    }
  }

  /** The application's tables (not SQLite's own, nor the migrator's). */
  tableNames(): string[] {
    return this.db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' " +
          "AND name NOT LIKE 'kysely\\_%' ESCAPE '\\' ORDER BY name",
      )
      .pluck()
      .all() as string[];
  }

  columns(table: string): string[] {
    return (this.db.prepare(`PRAGMA table_info(${quote(table)})`).all() as { name: string }[]).map(
      (column) => column.name,
    );
  }

  /** Rows with a rowid above `afterRowid`. */
  count(table: string, afterRowid = 0): number {
    if (this.primaryKey(table) !== null)
      return (
        (this.statement(`SELECT count(*) FROM ${quote(table)}`)
          .pluck()
          .get() as number) - afterRowid
      );
    return this.statement(`SELECT count(*) FROM ${quote(table)} WHERE rowid > ?`)
      .pluck()
      .get(afterRowid) as number;
  }

  /** The next rows after `afterRowid`, in rowid order, as values in the order of `columns`. */
  batch(table: string, columns: string[], afterRowid: number, limit: number): SourceRow[] {
    const key = this.primaryKey(table);
    if (key !== null) return this.batchByKey(table, key, columns, afterRowid, limit);
    const rows = this.statement(
      `SELECT rowid, ${columns.map(quote).join(", ")} FROM ${quote(table)} WHERE rowid > ? ORDER BY rowid LIMIT ?`,
    )
      .raw(true)
      .all(afterRowid, limit) as unknown[][];
    return rows.map(([rowid, ...values]) => ({ rowid: rowid as number, values }));
  }

  /**
   * A WITHOUT ROWID table is read in primary-key order; its "rowid" is the row's position in that order, valid
   * within this run only. Such tables are mutable (compared in full every run), so no run resumes from one.
   */
  private batchByKey(
    table: string,
    key: string[],
    columns: string[],
    after: number,
    limit: number,
  ): SourceRow[] {
    const cursor = this.cursors.get(table);
    if (after !== 0 && cursor?.position !== after)
      throw new CopyError(`${table} can only be read from its start or from where this run stopped.`);
    const keys = key.map(quote).join(", ");
    const where = after === 0 ? "" : `WHERE (${keys}) > (${key.map(() => "?").join(", ")})`;
    const rows = this.statement(
      `SELECT ${keys}, ${columns.map(quote).join(", ")} FROM ${quote(table)} ${where} ORDER BY ${keys} LIMIT ?`,
    )
      .raw(true)
      .all(...(after === 0 ? [] : (cursor?.key ?? [])), limit) as unknown[][];
    if (rows.length > 0)
      this.cursors.set(table, {
        position: after + rows.length,
        key: rows[rows.length - 1].slice(0, key.length),
      });
    return rows.map((row, index) => ({ rowid: after + index + 1, values: row.slice(key.length) }));
  }

  /** The primary key of a WITHOUT ROWID table, in key order; null for a table with rowids. */
  private primaryKey(table: string): string[] | null {
    if (!this.primaryKeys.has(table)) {
      const withoutRowid = this.db
        .prepare("SELECT wr FROM pragma_table_list WHERE name = ?")
        .pluck()
        .get(table);
      const key = (
        this.db.prepare(`PRAGMA table_info(${quote(table)})`).all() as { name: string; pk: number }[]
      )
        .filter((column) => column.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((column) => column.name);
      this.primaryKeys.set(table, withoutRowid === 1 ? key : null);
    }
    return this.primaryKeys.get(table) ?? null;
  }

  /** Whether the source has a row with this primary key. */
  has(spec: TableSpec, key: unknown[]): boolean {
    const where = spec.key.map((column) => `${quote(column)} = ?`).join(" AND ");
    return this.statement(`SELECT 1 FROM ${quote(spec.name)} WHERE ${where}`).get(...key) !== undefined;
  }

  keys(spec: TableSpec): unknown[][] {
    return this.statement(`SELECT ${spec.key.map(quote).join(", ")} FROM ${quote(spec.name)}`)
      .raw(true)
      .all() as unknown[][];
  }

  sum(table: string, column: string): number {
    return this.statement(`SELECT coalesce(sum(${quote(column)}), 0) FROM ${quote(table)}`)
      .pluck()
      .get() as number;
  }

  workspaceIds(): string[] {
    return this.statement("SELECT id FROM workspaces ORDER BY id").pluck().all() as string[];
  }

  setting(name: string): string | undefined {
    return this.statement("SELECT value FROM settings WHERE name = ?").pluck().get(name) as
      | string
      | undefined;
  }

  /** Names this source in the target's progress table without storing anything secret. */
  fingerprint(): string {
    const secret = this.setting("visitor_hash_secret") ?? this.file;
    return createHash("sha256").update(`clicktrail-copy:${secret}`).digest("hex").slice(0, 16);
  }

  /** The earliest and latest event timestamps (epoch ms), or null when there are no events. */
  eventTimeRange(): { min: number; max: number } | null {
    const union = EVENT_TABLES.map(
      (table) => `SELECT min(timestamp) AS lo, max(timestamp) AS hi FROM ${quote(table)}`,
    ).join(" UNION ALL ");
    const row = this.db.prepare(`SELECT min(lo) AS min, max(hi) AS max FROM (${union})`).get() as {
      min: number | null;
      max: number | null;
    };
    return row.min === null || row.max === null ? null : { min: row.min, max: row.max };
  }

  private statement(text: string): SQLite.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }
}
