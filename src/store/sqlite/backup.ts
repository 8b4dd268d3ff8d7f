import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { basename, dirname, resolve } from "node:path";
import SQLite from "better-sqlite3";
import { EXIT_DAMAGED } from "../../exit-codes.js";
import { ProgressBar, type ProgressOutput } from "../copy/progress-bar.js";
import { thousands } from "../thousands.js";
import { type Contents, type Counts, contentsOf, formatCounts } from "./backup-contents.js";
import { BackupError } from "./backup-error.js";
import { databaseFile } from "./files.js";
import { asDamaged, integrityProblems } from "./integrity.js";

export type BackupOptions = {
  dataDir: string;
  to: string;
  force: boolean;
  check: "quick" | "full";
  /** Where to draw progress (a terminal); none when undefined. */
  progress?: ProgressOutput;
};

export type BackupReport = {
  file: string;
  source: string;
  bytes: number;
  durationMs: number;
  integrity: "ok";
  check: "quick_check" | "integrity_check";
  schema: string | null;
  counts: Counts;
};

const checkName = (check: "quick" | "full") => (check === "full" ? "integrity_check" : "quick_check");

/** Pages copied per step: progress is redrawn, and the event loop runs, between steps. */
const PAGES_PER_STEP = 2048;

const SOURCE_ADVICE =
  "The backup was not written. Restore an earlier backup with `clicktrail restore FILE`; see docs/reliability.md.";

/**
 * Copies the embedded database into `to` with SQLite's online backup, while servers keep serving and writing.
 * The copy is one snapshot: the source is read inside a single read transaction, which in WAL mode blocks no
 * writer, and without which SQLite restarts the copy whenever another process writes (it may never finish
 * under load). The copy is written beside `to`, checked, counted, and only then renamed into place.
 */
export async function backupDatabase(options: BackupOptions): Promise<BackupReport> {
  const source = resolve(databaseFile(options.dataDir));
  const file = resolve(options.to);
  assertTarget(source, file, options.force);
  const startedAt = Date.now();
  const partial = `${file}.partial-${process.pid}`;
  try {
    await copySnapshot(source, partial, options.progress);
    options.progress?.write(`checking the copy (PRAGMA ${checkName(options.check)})…\n`);
    const contents = verify(partial, source, options.check);
    chmodSync(partial, 0o600); // it holds webhook and integration secrets
    install(partial, file, options.force);
    return {
      file,
      source,
      bytes: statSync(file).size,
      durationMs: Date.now() - startedAt,
      integrity: "ok",
      check: checkName(options.check),
      schema: contents.schema,
      counts: contents.counts,
    };
  } finally {
    for (const suffix of ["", "-journal", "-wal", "-shm"]) rmSync(`${partial}${suffix}`, { force: true });
  }
}

function assertTarget(source: string, file: string, force: boolean): void {
  if (!existsSync(source))
    throw new BackupError(`clicktrail backup: there is no database at ${source}: nothing to back up.`);
  if (["", "-wal", "-shm", "-journal"].some((suffix) => file === `${source}${suffix}`))
    throw new BackupError(`clicktrail backup: ${file} is the live database itself: name another file.`);
  if (!existsSync(dirname(file)))
    throw new BackupError(`clicktrail backup: the folder ${dirname(file)} does not exist.`);
  if (existsSync(file) && statSync(file).isDirectory())
    throw new BackupError(
      `clicktrail backup: ${file} is a folder: name the backup file, e.g. ${file}/clicktrail-${new Date().toISOString().slice(0, 10)}.sqlite.`,
    );
  if (existsSync(file) && !force) throw exists(file);
}

const exists = (file: string) =>
  new BackupError(
    `clicktrail backup: ${file} already exists and was left as it is: name another file, or pass --force to replace it.`,
  );

async function copySnapshot(source: string, partial: string, progress?: ProgressOutput): Promise<void> {
  let db: SQLite.Database | undefined;
  let bar: ProgressBar | undefined;
  let copied = 0;
  try {
    // Read-write, though it only reads: a read-only connection could not remove the -wal and -shm files it
    // creates when no server has them open.
    db = new SQLite(source, { fileMustExist: true, timeout: 5000 });
    db.exec("BEGIN");
    db.prepare("SELECT count(*) FROM sqlite_master").get(); // starts the snapshot
    await db.backup(partial, {
      progress: ({ totalPages, remainingPages }) => {
        if (progress) {
          bar ??= new ProgressBar(progress, basename(source), totalPages, 0, "pages");
          bar.advance(totalPages - remainingPages - copied);
          copied = totalPages - remainingPages;
        }
        return PAGES_PER_STEP;
      },
    });
    bar?.finish();
  } catch (error) {
    throw asDamaged(source, error, SOURCE_ADVICE) ?? error;
  } finally {
    if (db?.inTransaction) db.exec("ROLLBACK");
    db?.close();
  }
}

/** Checks the copy and reads what it holds; it also becomes a single self-contained file (no -wal). */
function verify(partial: string, source: string, check: "quick" | "full"): Contents {
  const db = new SQLite(partial, { fileMustExist: true });
  try {
    const problems = integrityProblems(db, check);
    if (problems.length > 0) {
      throw new BackupError(
        `clicktrail backup: the copy of ${source} failed its integrity check (${problems.slice(0, 2).join("; ")}), ` +
          "so the database itself is most likely damaged; the backup was not written. Keep your earlier backups, " +
          "and see docs/reliability.md, “Integrity at start”.",
        EXIT_DAMAGED,
      );
    }
    db.pragma("journal_mode = DELETE");
    const contents = contentsOf(db);
    if (contents === null)
      throw new BackupError(`clicktrail backup: ${source} is a SQLite database, but not Clicktrail's.`);
    return contents;
  } finally {
    db.close();
  }
}

/** Puts the verified copy at its name in one step; without --force, never over a file that appeared meanwhile. */
function install(partial: string, file: string, force: boolean): void {
  if (force) renameSync(partial, file);
  else {
    try {
      linkSync(partial, file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST") throw exists(file);
      if (!(code === "EPERM" || code === "ENOTSUP") || existsSync(file)) throw error;
      renameSync(partial, file); // a file system without hard links
    }
  }
  const dir = openSync(dirname(file), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

export const BACKUP_ON_POSTGRES =
  "clicktrail backup: DATABASE_URL points to PostgreSQL, which Clicktrail does not copy itself: back it up with " +
  'PostgreSQL\'s tools, `pg_dump --format=custom --file=clicktrail.dump "$DATABASE_URL"` for a logical backup, or ' +
  "a base backup with WAL archiving for point-in-time recovery. See docs/reliability.md, “Backups and restore”.";

export const formatBackup = (report: BackupReport): string =>
  `Backed up ${report.source} to ${report.file} (${thousands(report.bytes)} bytes, ` +
  `${thousands(report.durationMs)} ms).\n` +
  `Verified: ${report.check} ok; schema ${report.schema ?? "(none)"}; ${formatCounts(report.counts)}.`;
