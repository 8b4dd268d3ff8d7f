/**
 * Errors that say the database cannot be used right now — it is down, unreachable, shutting down, out of disk or
 * failing its I/O — rather than that the request or the code is wrong. The caller may retry once it returns.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!error || typeof error !== "object") return false;
  const { code, message, errors } = error as { code?: unknown; message?: unknown; errors?: unknown };
  if (typeof code === "string" && codeMeansUnavailable(code)) return true;
  if (typeof message === "string" && PG_CLIENT_MESSAGES.some((text) => message.startsWith(text))) return true;
  // A connection to a host with several addresses fails with one error per address, gathered.
  return Array.isArray(errors) && errors.length > 0 && errors.every(isDatabaseUnavailable);
}

function codeMeansUnavailable(code: string): boolean {
  return (
    SOCKET_CODES.has(code) ||
    SQLITE_CODES.has(code) ||
    SQLITE_PREFIXES.some((prefix) => code.startsWith(prefix)) ||
    PG_SQLSTATES.has(code) ||
    PG_SQLSTATE_CLASSES.some((prefix) => code.length === 5 && code.startsWith(prefix))
  );
}

/** The database server cannot be reached (Node's network errors). */
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);

/** better-sqlite3's codes: disk full, locked past the busy timeout, files that cannot be opened or written. */
const SQLITE_CODES = new Set(["SQLITE_FULL", "SQLITE_BUSY", "SQLITE_CANTOPEN"]);
/** Extended codes: SQLITE_IOERR_WRITE, SQLITE_IOERR_FSYNC, SQLITE_READONLY_DBMOVED, … */
const SQLITE_PREFIXES = ["SQLITE_IOERR", "SQLITE_READONLY"];

/**
 * PostgreSQL SQLSTATEs: 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up or
 * shutting down), 53100 disk_full, 53300 too_many_connections, 25006 read_only_sql_transaction (a standby).
 */
const PG_SQLSTATES = new Set(["57P01", "57P02", "57P03", "53100", "53300", "25006"]);
/** Whole classes: 08 connection exception, 58 system error (I/O). */
const PG_SQLSTATE_CLASSES = ["08", "58"];

/** What node-postgres throws, without a code, when a connection is lost or cannot be had. */
const PG_CLIENT_MESSAGES = [
  "Connection terminated",
  "Client has encountered a connection error and is not queryable",
  "timeout exceeded when trying to connect",
];
