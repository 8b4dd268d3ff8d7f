import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { dirname, resolve } from "node:path";
import SQLite from "better-sqlite3";
import { EXIT_BUSY, EXIT_DAMAGED } from "../../exit-codes.js";
import { sqliteMigrations } from "../migrations/index.js";
import { type Contents, type Counts, contentsOf, formatCounts } from "./backup-contents.js";
import { BackupError } from "./backup-error.js";
import { databaseFile } from "./files.js";
import { damageOf, fileProblem } from "./integrity.js";

export type RestoreOptions = {
  dataDir: string;
  from: string;
  check: "quick" | "full";
};

export type RestoreReport = {
  file: string;
  database: string;
  /** Where the database that was replaced now is; null when there was none. */
  keptAside: string | null;
  /** Whether the replaced database was damaged (its write-ahead log, if any, is kept beside it). */
  replacedWasDamaged: boolean;
  integrity: "ok";
  check: "quick_check" | "integrity_check";
  schema: string | null;
  /** The backup's schema is older than this version: the next start migrates it. */
  migratesOnStart: boolean;
  counts: Counts;
};

const SIDE_FILES = ["-wal", "-journal"] as const;

/**
 * Replaces the data folder's database with a backup, after checking the backup (a copy of it, so that the
 * bytes checked are the bytes installed) and proving that no process has the database open: SQLite's own
 * exclusive lock, which every process that has read the WAL database (a server, a command, a sqlite3 shell)
 * blocks until it closes it. The replaced database is kept aside, complete: its write-ahead log is folded in under
 * that lock, so no stale -wal or -shm file is left for the restored database to pick up.
 */
export function restoreDatabase(options: RestoreOptions): RestoreReport {
  const file = resolve(options.from);
  const live = resolve(databaseFile(options.dataDir));
  assertSource(file, live);
  if (existsSync(live)) takeOver(live, { fold: false }); // refuses at once while another process has it open
  mkdirSync(dirname(live), { recursive: true });
  const staging = `${live}.restoring-${process.pid}`;
  try {
    copyFileSync(file, staging);
    const contents = prepare(staging, file, options.check);
    const liveExists = existsSync(live);
    const replacedWasDamaged = liveExists && takeOver(live, { fold: true }) === "damaged";
    const keptAside = liveExists ? asideName(live, new Date()) : null;
    if (keptAside) keepAside(live, keptAside);
    clearSideFiles(live, keptAside);
    syncFile(staging);
    renameSync(staging, live);
    syncFile(dirname(live));
    return {
      file,
      database: live,
      keptAside,
      replacedWasDamaged,
      integrity: "ok",
      check: options.check === "full" ? "integrity_check" : "quick_check",
      schema: contents.schema,
      migratesOnStart: contents.schema !== Object.keys(sqliteMigrations).at(-1),
      counts: contents.counts,
    };
  } finally {
    for (const suffix of ["", "-journal", "-wal", "-shm"]) rmSync(`${staging}${suffix}`, { force: true });
  }
}

function assertSource(file: string, live: string): void {
  if (!existsSync(file) || !statSync(file).isFile())
    throw new BackupError(`clicktrail restore: there is no file ${file}.`);
  if (file === live)
    throw new BackupError(`clicktrail restore: ${file} is the live database itself: name a backup file.`);
  const wal = `${file}-wal`;
  if (existsSync(wal) && statSync(wal).size > 0) {
    throw new BackupError(
      `clicktrail restore: ${file} has a write-ahead log beside it (${wal}): it is a database in use, or a copy ` +
        "taken without its log, and restoring the file alone would lose what the log holds. Make backups with " +
        "`clicktrail backup FILE`. Nothing was changed.",
    );
  }
}

/** Checks the staged copy and makes it one self-contained file (rollback journal mode, no -wal). */
function prepare(staging: string, file: string, check: "quick" | "full"): Contents {
  const problem = fileProblem(staging, check);
  if (problem !== undefined) {
    throw new BackupError(
      `clicktrail restore: ${file} is damaged: ${problem}. Nothing was changed; restore another backup.`,
      EXIT_DAMAGED,
    );
  }
  const db = new SQLite(staging, { fileMustExist: true });
  try {
    db.pragma("journal_mode = DELETE");
    const contents = contentsOf(db);
    if (contents === null)
      throw new BackupError(
        `clicktrail restore: ${file} is a SQLite database, but not a Clicktrail one. Nothing was changed.`,
      );
    if (contents.unknownMigrations.length > 0) {
      throw new BackupError(
        `clicktrail restore: ${file} was written by a newer version of Clicktrail (its schema has ` +
          `${contents.unknownMigrations.join(", ")}, which this version does not know). Upgrade Clicktrail, then ` +
          "restore it. Nothing was changed.",
      );
    }
    return contents;
  } finally {
    db.close();
  }
}

/**
 * Takes the live database's exclusive lock, which fails while any other connection has it open, and (`fold`)
 * folds its write-ahead log into the file. "damaged" when SQLite cannot even read it: no server runs on such a
 * file, since every start checks it.
 */
function takeOver(live: string, { fold }: { fold: boolean }): "closed" | "damaged" {
  const state = lockExclusively(live, { fold, timeoutMs: 1000 });
  if (state === "busy") {
    throw new BackupError(
      `clicktrail restore: ${live} is open in another process (a running server, or another clicktrail ` +
        "command): stop it, then restore again. Nothing was changed.",
      EXIT_BUSY,
    );
  }
  return state;
}

/** Whether another process (a running server, a command) has the database file open, by its exclusive lock. */
export function isOpenElsewhere(file: string): boolean {
  return lockExclusively(file, { fold: false, timeoutMs: 0 }) === "busy";
}

function lockExclusively(
  live: string,
  { fold, timeoutMs }: { fold: boolean; timeoutMs: number },
): "closed" | "busy" | "damaged" {
  let db: SQLite.Database | undefined;
  try {
    db = new SQLite(live, { fileMustExist: true, timeout: timeoutMs });
    db.pragma("locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE");
    db.exec("COMMIT");
    if (fold) db.pragma("journal_mode = DELETE");
    return "closed";
  } catch (error) {
    if (String((error as { code?: unknown }).code).startsWith("SQLITE_BUSY")) return "busy";
    if (damageOf(error) !== undefined) return "damaged";
    throw error;
  } finally {
    db?.close();
  }
}

/** `clicktrail.sqlite.before-restore-20250131-235959`, unique in its folder. */
function asideName(live: string, now: Date): string {
  const stamp = now.toISOString().slice(0, 19).replaceAll("-", "").replace("T", "-").replaceAll(":", "");
  let name = `${live}.before-restore-${stamp}`;
  for (let n = 2; existsSync(name); n++) name = `${live}.before-restore-${stamp}-${n}`;
  return name;
}

/** A second name for the replaced file, so that the live name never goes missing while the backup moves in. */
function keepAside(live: string, aside: string): void {
  try {
    linkSync(live, aside);
  } catch {
    copyFileSync(live, aside); // a file system without hard links
  }
}

/**
 * Leaves no log at the live name for the restored file to pick up: one that still holds something (the
 * replaced database was damaged) moves next to the file kept aside, where SQLite finds it; the rest goes.
 */
function clearSideFiles(live: string, aside: string | null): void {
  for (const suffix of SIDE_FILES) {
    const path = `${live}${suffix}`;
    if (!existsSync(path)) continue;
    if (aside && statSync(path).size > 0) renameSync(path, `${aside}${suffix}`);
    else rmSync(path);
  }
  rmSync(`${live}-shm`, { force: true });
}

function syncFile(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export const RESTORE_ON_POSTGRES =
  "clicktrail restore: DATABASE_URL points to PostgreSQL: restore a pg_dump archive with `pg_restore` into an " +
  "empty database (or recover a base backup to a point in time) with every server stopped, then point " +
  "DATABASE_URL at it. See docs/reliability.md, “Backups and restore”.";

export function formatRestore(report: RestoreReport): string {
  const lines = [
    `Restored ${report.file} into ${report.database}.`,
    `Verified: ${report.check} ok; schema ${report.schema ?? "(none)"}; ${formatCounts(report.counts)}.`,
  ];
  if (report.keptAside)
    lines.push(
      `The database it replaced${report.replacedWasDamaged ? " (damaged)" : ""} is kept as ${report.keptAside}.`,
    );
  if (report.migratesOnStart)
    lines.push("Its schema is older than this version of Clicktrail: the next start migrates it.");
  return lines.join("\n");
}
