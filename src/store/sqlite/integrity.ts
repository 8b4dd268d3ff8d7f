import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { totalmem } from "node:os";
import SQLite from "better-sqlite3";
import { EXIT_DAMAGED } from "../../exit-codes.js";
import { ExplainedError } from "../../explained-error.js";

/** `SQLITE_INTEGRITY_CHECK`: `quick` is PRAGMA quick_check, `full` PRAGMA integrity_check (indexes too). */
export type IntegrityCheck = "quick" | "full" | "off";

/** The check for a backup's copy or a file to restore: never skipped, so `off` means `quick` there. */
export const copyCheck = (mode: IntegrityCheck): "quick" | "full" => (mode === "full" ? "full" : "quick");

const PRAGMA = { quick: "quick_check", full: "integrity_check" } as const;
const HEADER = Buffer.from("SQLite format 3\0", "latin1");
const SHOWN_PROBLEMS = 2;

export const START_ADVICE =
  "Clicktrail stops rather than use it. Stop every process that uses this file, then restore your latest " +
  "backup with `clicktrail restore FILE` (the damaged file is kept aside); without a backup, the sqlite3 " +
  "shell can salvage what is still readable. See docs/reliability.md, “Integrity at start”.";

/** A database file SQLite cannot trust, with a one-paragraph message for the person running Clicktrail. */
export class DatabaseDamaged extends ExplainedError {
  constructor(
    readonly file: string,
    readonly problem: string,
    advice = START_ADVICE,
  ) {
    super(`clicktrail: the database ${file} is damaged: ${problem}. ${advice}`, EXIT_DAMAGED);
  }
}

/** What an error from SQLite says about its file's damage; undefined when it is about something else. */
export function damageOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "SQLITE_NOTADB") return "it is not a SQLite database";
  if (typeof code === "string" && code.startsWith("SQLITE_CORRUPT"))
    return `SQLite reports “${(error as Error).message}”`;
  return undefined;
}

/** The error as a DatabaseDamaged when SQLite says the file is damaged; undefined when it says something else. */
export function asDamaged(file: string, error: unknown, advice?: string): DatabaseDamaged | undefined {
  const damage = damageOf(error);
  if (damage === undefined) return undefined;
  return new DatabaseDamaged(file, (existsSync(file) && truncation(file)) || damage, advice);
}

/** The problems SQLite's own check finds through an open connection; empty when the database is intact. */
export function integrityProblems(db: SQLite.Database, mode: "quick" | "full"): string[] {
  const problems: string[] = [];
  try {
    const rows = db.prepare(`PRAGMA ${PRAGMA[mode]}(100)`).raw().iterate() as Iterable<[string]>;
    for (const [text] of rows) {
      if (text === "ok") continue;
      problems.push(...text.split("\n").filter((line) => line && !line.startsWith("*** in database")));
    }
  } catch (error) {
    // The check stops with SQLITE_CORRUPT on some damage, after having reported what it found before.
    const damage = damageOf(error);
    if (damage === undefined) throw error;
    problems.push(damage);
  }
  return problems;
}

/** Refuses a damaged database file before anything opens it for writing; a missing file (a new install) passes. */
export function assertIntact(file: string, mode: IntegrityCheck, advice?: string): void {
  if (mode === "off" || !existsSync(file)) return;
  const problem = fileProblem(file, mode);
  if (problem !== undefined) throw new DatabaseDamaged(file, problem, advice);
}

/** Why the database file is damaged, or undefined when SQLite's check passes. */
export function fileProblem(file: string, mode: "quick" | "full"): string | undefined {
  const size = statSync(file).size;
  if (size === 0) return undefined; // SQLite's empty database
  const header = readHeader(file);
  if (!hasSqliteHeader(header))
    return "it is not a SQLite database (it does not begin with SQLite's file header)";
  readThrough(file, size);
  let db: SQLite.Database | undefined;
  let problems: string[];
  try {
    db = new SQLite(file, { readonly: true, fileMustExist: true });
    problems = integrityProblems(db, mode);
  } catch (error) {
    const damage = damageOf(error);
    if (damage === undefined) throw error;
    problems = [damage];
  } finally {
    db?.close();
  }
  if (problems.length === 0) return undefined;
  return truncation(file) ?? describe(problems, mode);
}

function describe(problems: string[], mode: "quick" | "full"): string {
  const shown = problems.slice(0, SHOWN_PROBLEMS).join("; ");
  const more = problems.length > SHOWN_PROBLEMS ? ` (and ${problems.length - SHOWN_PROBLEMS} more)` : "";
  return `SQLite's integrity check (PRAGMA ${PRAGMA[mode]}) reports: ${shown}${more}`;
}

/** Names a cut file: shorter than its header says, with no write-ahead log that could hold the rest. */
function truncation(file: string): string | undefined {
  const header = readHeader(file);
  const size = statSync(file).size;
  if (!hasSqliteHeader(header)) return undefined;
  const pageSize = header.readUInt16BE(16) === 1 ? 65536 : header.readUInt16BE(16);
  const pages = header.readUInt32BE(28);
  const headerSizeValid = pages > 0 && header.readUInt32BE(24) === header.readUInt32BE(92);
  const wal = `${file}-wal`;
  if (!headerSizeValid || pages * pageSize <= size || (existsSync(wal) && statSync(wal).size > 0))
    return undefined;
  const bytes = new Intl.NumberFormat("en-US");
  return `it is truncated: its header describes ${bytes.format(pages * pageSize)} bytes, the file holds only ${bytes.format(size)}`;
}

const hasSqliteHeader = (header: Buffer) =>
  header.length === 100 && header.subarray(0, HEADER.length).equals(HEADER);

function readHeader(file: string): Buffer {
  const fd = openSync(file, "r");
  try {
    const header = Buffer.alloc(100);
    return header.subarray(0, readSync(fd, header, 0, 100, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads the file once from start to end, which disks and the operating system do at full speed, so that the
 * check then finds its pages in memory instead of seeking for each one (measured in docs/reliability.md: a
 * cold 1 GB file took 44 s without this, 2–4 s with it). Skipped for files too big to stay in memory.
 */
function readThrough(file: string, size: number): void {
  if (size > totalmem() / 4) return;
  const fd = openSync(file, "r");
  try {
    const chunk = Buffer.allocUnsafe(4 << 20);
    while (readSync(fd, chunk, 0, chunk.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}
