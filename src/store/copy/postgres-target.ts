import { type Kysely, type RawBuilder, sql } from "kysely";
import pg from "pg";
import { assertSchemaCurrent, migrateToLatest, postgresMigrations } from "../migrations/index.js";
import { openPostgres } from "../postgres/database.js";
import type { Database } from "../sql/schema.js";
import { CopyError } from "./copy-error.js";
import type { TableSpec } from "./tables.js";
import { withFreeSlugs } from "./workspace-slugs.js";

/** Where a table's copy stands, per source: kept in the target, committed with every batch. */
export type TableProgress = { lastRowid: number; rowsWritten: number; done: boolean };

const PROGRESS_TABLE = "clicktrail_copy_progress";
const COPY_LOCK_ID = 7_253_114_002;
/** PostgreSQL takes at most 65,535 parameters in one statement. */
const MAX_PARAMETERS = 65_535;

const ids = (names: string[]) =>
  sql.join(
    names.map((name) => sql.ref(name)),
    sql`, `,
  );
const tuple = (values: unknown[]) => sql`(${sql.join(values)})`;

/** The PostgreSQL database copied into: migrated first, locked against a second copy at the same time. */
export class PostgresTarget {
  private constructor(
    readonly db: Kysely<Database>,
    private readonly lock: pg.Client,
    readonly appliedMigrations: string[],
  ) {}

  static async open(url: string): Promise<PostgresTarget> {
    const { db } = openPostgres({ url, poolSize: 2 });
    const lock = new pg.Client({ connectionString: url });
    // A lost lock connection surfaces through the next batch's query; it must not crash the process here.
    lock.on("error", () => {});
    try {
      await lock.connect();
      const { rows } = await lock.query("SELECT pg_try_advisory_lock($1) AS locked", [COPY_LOCK_ID]);
      if (!rows[0].locked) throw new CopyError("Another `clicktrail copy` is writing into this database.");
      const applied = await migrateToLatest(db, postgresMigrations);
      await assertSchemaCurrent(db, postgresMigrations);
      await sql
        .raw(`CREATE TABLE IF NOT EXISTS ${PROGRESS_TABLE} (
          source_id TEXT NOT NULL,
          table_name TEXT NOT NULL,
          last_rowid BIGINT NOT NULL,
          rows_written BIGINT NOT NULL,
          done BOOLEAN NOT NULL,
          updated_at BIGINT NOT NULL,
          PRIMARY KEY (source_id, table_name)
        )`)
        .execute(db);
      return new PostgresTarget(db, lock, applied);
    } catch (error) {
      await lock.end().catch(() => {});
      await db.destroy();
      if (error instanceof CopyError) throw error;
      throw new CopyError(`Cannot prepare the target database: ${(error as Error).message}`);
    }
  }

  async close(): Promise<void> {
    await this.lock.end().catch(() => {});
    await this.db.destroy();
  }

  /** Gathers the planner's statistics on every table (partitions included). */
  async analyze(): Promise<void> {
    await sql`ANALYZE`.execute(this.db);
  }

  async columns(table: string): Promise<string[]> {
    const { rows } = await sql<{ name: string }>`
      SELECT column_name AS name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = ${table}
      ORDER BY ordinal_position`.execute(this.db);
    return rows.map((row) => row.name);
  }

  async workspaceIds(): Promise<string[]> {
    const rows = await this.db.selectFrom("workspaces").select("id").orderBy("id").execute();
    return rows.map((row) => row.id);
  }

  async progress(sourceId: string): Promise<Map<string, TableProgress>> {
    const { rows } = await sql<{
      table_name: string;
      last_rowid: number;
      rows_written: number;
      done: boolean;
    }>`
      SELECT table_name, last_rowid, rows_written, done FROM ${sql.table(PROGRESS_TABLE)}
      WHERE source_id = ${sourceId}`.execute(this.db);
    return new Map(
      rows.map((row) => [
        row.table_name,
        { lastRowid: Number(row.last_rowid), rowsWritten: Number(row.rows_written), done: row.done },
      ]),
    );
  }

  /** Rows per statement for a table of this many columns. */
  static batchLimit(columns: number, wanted: number): number {
    return Math.max(1, Math.min(wanted, Math.floor(MAX_PARAMETERS / columns)));
  }

  /**
   * Writes one batch and the progress it makes in one transaction: after a crash either both are there or
   * neither, so a rerun resumes exactly after the last committed batch. Returns the rows inserted or changed.
   */
  async writeBatch(
    sourceId: string,
    spec: TableSpec,
    columns: string[],
    rows: unknown[][],
    progress: TableProgress,
  ): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const values = spec.name === "workspaces" ? await withFreeSlugs(trx, columns, rows) : rows;
      const result = await insertRows(spec, columns, values).execute(trx);
      const written = Number(result.numAffectedRows ?? 0);
      await saveProgress(sourceId, spec.name, {
        ...progress,
        rowsWritten: progress.rowsWritten + written,
      }).execute(trx);
      return written;
    });
  }

  async markDone(sourceId: string, table: string, progress: TableProgress): Promise<void> {
    await saveProgress(sourceId, table, { ...progress, done: true }).execute(this.db);
  }

  /**
   * Deletes the target's rows of the source's workspaces that the source no longer has (a deleted link, a
   * pruned visitor), walking the target in key order. Returns how many it deleted.
   */
  async deleteMissing(spec: TableSpec, workspaceIds: string[], sourceHas: (key: unknown[]) => boolean) {
    const column = spec.workspaceColumn;
    if (!column) throw new Error(`${spec.name} belongs to no workspace`);
    let deleted = 0;
    let after: unknown[] | null = null;
    for (;;) {
      const { rows }: { rows: Record<string, unknown>[] } = await sql<Record<string, unknown>>`
        SELECT ${ids(spec.key)} FROM ${sql.table(spec.name)}
        WHERE ${sql.ref(column)} = ANY(${workspaceIds})
        ${after ? sql`AND (${ids(spec.key)}) > ${tuple(after)}` : sql``}
        ORDER BY ${ids(spec.key)} LIMIT 5000`.execute(this.db);
      if (rows.length === 0) return deleted;
      const keys = rows.map((row) => spec.key.map((name) => row[name]));
      after = keys[keys.length - 1];
      const missing = keys.filter((key) => !sourceHas(key));
      if (missing.length > 0) {
        const result = await sql`
          DELETE FROM ${sql.table(spec.name)}
          WHERE (${ids(spec.key)}) IN (${sql.join(missing.map(tuple))})`.execute(this.db);
        deleted += Number(result.numAffectedRows ?? 0);
      }
    }
  }

  async count(table: string, scope: RawBuilder<unknown> | null): Promise<number> {
    const { rows } = await sql<{ n: string }>`
      SELECT count(*) AS n FROM ${sql.table(table)} ${scope ? sql`WHERE ${scope}` : sql``}`.execute(this.db);
    return Number(rows[0].n);
  }

  async sum(table: string, column: string, scope: RawBuilder<unknown> | null): Promise<number> {
    const { rows } = await sql<{ n: string }>`
      SELECT coalesce(sum(${sql.ref(column)}), 0) AS n FROM ${sql.table(table)}
      ${scope ? sql`WHERE ${scope}` : sql``}`.execute(this.db);
    return Number(rows[0].n);
  }

  async setting(name: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom("settings")
      .select("value")
      .where("name", "=", name)
      .executeTakeFirst();
    return row?.value;
  }
}

/** Rows that belong to the source: its workspaces, or (for global tables) its keys. */
export function scopeOf(
  spec: TableSpec,
  workspaceIds: string[],
  sourceKeys: () => unknown[][],
): RawBuilder<unknown> {
  if (spec.workspaceColumn) return sql`${sql.ref(spec.workspaceColumn)} = ANY(${workspaceIds})`;
  const keys = sourceKeys();
  if (keys.length === 0) return sql`false`;
  return sql`(${ids(spec.key)}) IN (${sql.join(keys.map(tuple))})`;
}

/**
 * A multi-row INSERT. Append-only rows already there are left alone; rows of mutable tables are updated
 * only where a column differs, so an unchanged row costs no write and is not counted.
 */
function insertRows(spec: TableSpec, columns: string[], rows: unknown[][]) {
  const insert = sql`INSERT INTO ${sql.table(spec.name)} (${ids(columns)}) VALUES ${sql.join(rows.map(tuple))}`;
  if (!spec.mutable) return sql`${insert} ON CONFLICT DO NOTHING`;
  const others = columns.filter((column) => !spec.key.includes(column));
  const set = sql.join(
    others.map((column) => sql`${sql.ref(column)} = EXCLUDED.${sql.ref(column)}`),
    sql`, `,
  );
  const current = sql.join(
    others.map((column) => sql`${sql.table(spec.name)}.${sql.ref(column)}`),
    sql`, `,
  );
  const incoming = sql.join(
    others.map((column) => sql`EXCLUDED.${sql.ref(column)}`),
    sql`, `,
  );
  return sql`${insert} ON CONFLICT (${ids(spec.key)}) DO UPDATE SET ${set}
    WHERE (${current}) IS DISTINCT FROM (${incoming})`;
}

function saveProgress(sourceId: string, table: string, progress: TableProgress) {
  return sql`
    INSERT INTO ${sql.table(PROGRESS_TABLE)} (source_id, table_name, last_rowid, rows_written, done, updated_at)
    VALUES (${sourceId}, ${table}, ${progress.lastRowid}, ${progress.rowsWritten}, ${progress.done}, ${Date.now()})
    ON CONFLICT (source_id, table_name) DO UPDATE SET
      last_rowid = EXCLUDED.last_rowid, rows_written = EXCLUDED.rows_written,
      done = EXCLUDED.done, updated_at = EXCLUDED.updated_at`;
}
