import type { Kysely } from "kysely";
import { ensurePartitions } from "../postgres/partitions.js";
import { CopyError } from "./copy-error.js";
import { PostgresTarget, type TableProgress } from "./postgres-target.js";
import { ProgressBar, type ProgressOutput } from "./progress-bar.js";
import { SqliteSource } from "./sqlite-source.js";
import { NOT_COPIED, TABLES, type TableSpec } from "./tables.js";
import { type Check, cell, mismatches, verify } from "./verify.js";

export type CopyOptions = {
  /** A data directory holding clicktrail.sqlite, or the file. */
  from: string;
  /** postgres://… */
  to: string;
  /** Copy even though the target holds workspaces that the source does not have. */
  force?: boolean;
  /** Rows per INSERT (and per committed transaction); default 2,000. */
  batchSize?: number;
  /** Stop after this many batches, as an interruption would (for tests). */
  maxBatches?: number;
  /** Progress and notes; default process.stderr. */
  progress?: ProgressOutput;
};

export type CopyReport = {
  /** The run stopped early (`maxBatches`): nothing was verified; run again to finish. */
  interrupted: boolean;
  /** Partitions created for the source's months. */
  partitions: string[];
  checks: Check[];
  /** Every check agrees. */
  ok: boolean;
  /** What differs, as a sentence per check (empty when ok). */
  problems: string[];
};

type Run = {
  source: SqliteSource;
  target: PostgresTarget;
  sourceId: string;
  workspaceIds: string[];
  out: ProgressOutput;
  batchSize: number;
  maxBatches: number;
  batches: number;
};

/**
 * Copies a Clicktrail SQLite database into PostgreSQL: migrates the target, creates the monthly partitions
 * the source's events need, copies every table in batches (each committed with its progress, so an
 * interrupted run resumes where it stopped and a finished one copies only what is new), then verifies.
 * The source is only read. For an exact copy, stop the servers using it first, or copy again after stopping
 * them: a run copies one consistent snapshot, taken when it starts.
 */
export async function copyDatabase(options: CopyOptions): Promise<CopyReport> {
  if (!/^postgres(ql)?:\/\//.test(options.to)) {
    throw new CopyError(
      `--to must be a PostgreSQL URL (postgres://user:password@host:5432/database), got "${redact(options.to)}".`,
    );
  }
  const out = options.progress ?? process.stderr;
  const source = SqliteSource.open(options.from);
  try {
    source.assertSchemaCurrent();
    const target = await PostgresTarget.open(options.to);
    try {
      out.write(`Copying ${source.file} into ${redact(options.to)}\n`);
      if (target.appliedMigrations.length > 0)
        out.write(`Migrated the target: ${target.appliedMigrations.join(", ")}\n`);
      return await copyInto(source, target, options, out);
    } finally {
      await target.close();
    }
  } finally {
    source.close();
  }
}

async function copyInto(
  source: SqliteSource,
  target: PostgresTarget,
  options: CopyOptions,
  out: ProgressOutput,
): Promise<CopyReport> {
  const tables = tablesToCopy(source);
  const columns = await matchColumns(source, target, tables);
  const workspaceIds = source.workspaceIds();
  const foreign = await foreignWorkspaces(target, workspaceIds, options.force ?? false, out);
  const partitions = await createPartitions(target.db, source.eventTimeRange());
  if (partitions.length > 0) out.write(`Created ${partitions.length} monthly partitions\n`);
  const run: Run = {
    source,
    target,
    sourceId: source.fingerprint(),
    workspaceIds,
    out,
    batchSize: options.batchSize ?? 2_000,
    maxBatches: options.maxBatches ?? Number.POSITIVE_INFINITY,
    batches: 0,
  };
  const saved = await target.progress(run.sourceId);
  const copied = new Map<string, number>();
  for (const spec of tables) {
    const outcome = await copyTable(run, spec, columns.get(spec.name) ?? [], saved.get(spec.name));
    copied.set(spec.name, outcome.written);
    if (outcome.interrupted) return { interrupted: true, partitions, checks: [], ok: false, problems: [] };
  }
  // Statistics for the planner: without them PostgreSQL plans a bulk-loaded table as if it were empty.
  await target.analyze();
  out.write("Analyzed the target's tables\n");
  const checks = await verify(source, target, tables, { copied, onlySourceRows: foreign.length > 0 });
  const problems = mismatches(checks).map(
    (check) => `${check.name}: ${cell(check.source)} in the source, ${cell(check.target)} in the target`,
  );
  return { interrupted: false, partitions, checks, ok: problems.length === 0, problems };
}

async function copyTable(
  run: Run,
  spec: TableSpec,
  columns: string[],
  saved: TableProgress | undefined,
): Promise<{ written: number; interrupted: boolean }> {
  const { source, target, out } = run;
  const deleted = spec.deletes
    ? await target.deleteMissing(spec, run.workspaceIds, (key) => source.has(spec, key))
    : 0;
  // Mutable tables are compared in full every run; append-only ones resume after the last copied row.
  let progress: TableProgress = {
    lastRowid: spec.mutable ? 0 : (saved?.lastRowid ?? 0),
    rowsWritten: saved?.rowsWritten ?? 0,
    done: false,
  };
  const total = source.count(spec.name);
  const bar = new ProgressBar(out, spec.name, total, total - source.count(spec.name, progress.lastRowid));
  const limit = PostgresTarget.batchLimit(columns.length, run.batchSize);
  let written = 0;
  for (;;) {
    if (run.batches >= run.maxBatches) {
      bar.finish("interrupted");
      return { written, interrupted: true };
    }
    const rows = source.batch(spec.name, columns, progress.lastRowid, limit);
    if (rows.length === 0) break;
    progress = { ...progress, lastRowid: rows[rows.length - 1].rowid };
    const values = rows.map((row) => row.values);
    const count = await target
      .writeBatch(run.sourceId, spec, columns, values, progress)
      .catch((error: Error) => {
        bar.finish("failed");
        throw new CopyError(
          `Copying ${spec.name} (source rows ${rows[0].rowid}-${progress.lastRowid}) failed: ${error.message}. ` +
            "Every batch before it is committed: fix the cause and run copy again to continue from there.",
        );
      });
    progress = { ...progress, rowsWritten: progress.rowsWritten + count };
    written += count;
    run.batches += 1;
    bar.advance(rows.length);
  }
  await target.markDone(run.sourceId, spec.name, progress);
  bar.finish(`${cell(written)} written${deleted > 0 ? `, ${cell(deleted)} deleted` : ""}`);
  return { written, interrupted: false };
}

/** The source's tables, in copy order; one this version does not know would be lost, so it stops the copy. */
function tablesToCopy(source: SqliteSource): TableSpec[] {
  const present = source.tableNames();
  const unknown = present.filter(
    (name) => !TABLES.some((spec) => spec.name === name) && !NOT_COPIED.includes(name as never),
  );
  if (unknown.length > 0) {
    throw new CopyError(
      `The source has tables that copy does not know (${unknown.join(", ")}) and would leave behind; nothing was copied.`,
    );
  }
  return TABLES.filter((spec) => present.includes(spec.name));
}

/** Both sides must have the same columns per table; the copy names them explicitly. */
async function matchColumns(
  source: SqliteSource,
  target: PostgresTarget,
  tables: TableSpec[],
): Promise<Map<string, string[]>> {
  const columns = new Map<string, string[]>();
  for (const spec of tables) {
    const fromSource = source.columns(spec.name);
    const inTarget = new Set(await target.columns(spec.name));
    const missing = fromSource.filter((column) => !inTarget.has(column));
    const extra = [...inTarget].filter((column) => !fromSource.includes(column));
    if (missing.length > 0 || extra.length > 0) {
      throw new CopyError(
        `Table ${spec.name} differs between the source and the target ` +
          `(only in the source: ${missing.join(", ") || "-"}; only in the target: ${extra.join(", ") || "-"}).`,
      );
    }
    columns.set(spec.name, fromSource);
  }
  return columns;
}

/** Workspaces in the target that the source lacks: refused (unless forced), so two installs are not mixed by mistake. */
async function foreignWorkspaces(
  target: PostgresTarget,
  sourceIds: string[],
  force: boolean,
  out: ProgressOutput,
): Promise<string[]> {
  const foreign = (await target.workspaceIds()).filter((id) => !sourceIds.includes(id));
  if (foreign.length === 0) return foreign;
  const named = `${foreign.slice(0, 5).join(", ")}${foreign.length > 5 ? ", …" : ""}`;
  if (!force) {
    throw new CopyError(
      `The target already holds ${foreign.length} workspace(s) that the source does not have (${named}): ` +
        "it is neither empty nor an earlier copy of this source. Copy into an empty database, or pass --force " +
        "to add the source's rows beside them (the target then takes the source's visitor-hash secret).",
    );
  }
  out.write(
    `--force: keeping ${foreign.length} workspace(s) of the target that the source does not have (${named})\n`,
  );
  return foreign;
}

const monthOf = (time: number) => new Date(time).getUTCFullYear() * 12 + new Date(time).getUTCMonth();

/** Monthly partitions from the source's first event to its last (and the servers' usual window around now). */
async function createPartitions<DB>(
  db: Kysely<DB>,
  range: { min: number; max: number } | null,
  now = Date.now(),
): Promise<string[]> {
  const monthsBack = Math.max(1, range ? monthOf(now) - monthOf(range.min) : 0);
  const monthsAhead = Math.max(2, range ? monthOf(range.max) - monthOf(now) : 0);
  try {
    return await ensurePartitions(db, now, { monthsBack, monthsAhead });
  } catch (error) {
    throw new CopyError(`Cannot create the monthly partitions in the target: ${(error as Error).message}`);
  }
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "the target";
  }
}
