import type BetterSqlite3 from "better-sqlite3";
import type { EventKind } from "../../domain/events/model.js";
import type { ColumnRow } from "../sql/event-column-scan.js";
import { BinaryCopyOut } from "./postgres-binary-copy.js";

/** Where a reader thread reads event columns from: the SQLite file, or the PostgreSQL database. */
export type ColumnSource = { sqlite: string } | { postgres: string };

export type ColumnReader = {
  read(workspaceId: string, kind: EventKind, names: string[], days: number[]): Promise<ColumnRow[]>;
  /** How many days a scan asks for at a time. */
  daysPerRead: number;
};

/** How a reader thread's sessions show in PostgreSQL's `pg_stat_activity`. */
export const SESSION_NAME = "clicktrail column scan";

/** A connection of the thread's own; PostgreSQL's driver is loaded only for PostgreSQL. */
export async function openColumnSource(source: ColumnSource): Promise<ColumnReader> {
  return "sqlite" in source ? openSqlite(source.sqlite) : openPostgres(source.postgres);
}

async function openSqlite(file: string): Promise<ColumnReader> {
  const { default: SQLite } = await import("better-sqlite3");
  const connection = new SQLite(file, { readonly: true, fileMustExist: true });
  connection.pragma("busy_timeout = 5000");
  // Column blobs are read once a scan, from pages the system's file cache holds: better-sqlite3's 16 MB page cache
  // a connection only kept ~15 MB more resident per thread.
  connection.pragma("cache_size = -256");
  // One statement per shape of the IN lists: a scan asks for a few names and up to a week of days at a time.
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    // A thread's young generation is 8 MB (pool.ts): a month of decoded columns outgrew it and was promoted, then
    // collected by full collections. A week at a time stays young: 25–35 % faster on the slowest scans at 10M.
    daysPerRead: 8,
    read: async (workspaceId, kind, names, days) => {
      const shape = `${names.length} ${days.length}`;
      let statement = statements.get(shape);
      if (!statement) {
        statement = connection.prepare(
          `select day, name, data from event_columns where workspace_id = ? and kind = ?
           and name in (${names.map(() => "?").join(",")}) and day in (${days.map(() => "?").join(",")})`,
        );
        statements.set(shape, statement);
      }
      return statement.all(workspaceId, kind, ...names, ...days) as ColumnRow[];
    },
  };
}

async function openPostgres(url: string): Promise<ColumnReader> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url, application_name: SESSION_NAME });
  client.on("error", () => {
    // The connection is gone: the next read fails and says why; the pool's thread is started again after.
  });
  await client.connect();
  await client.query("SET jit = off");
  const literal = (value: string) => pg.escapeLiteral(value);
  return {
    // A round trip a read: a week at a time was no faster on PostgreSQL at 10M (within the noise, or slower).
    daysPerRead: 31,
    read: async (workspaceId, kind, names, days) => {
      if (names.length === 0 || days.length === 0) return [];
      const dayList = days.map((day) => {
        if (!Number.isSafeInteger(day)) throw new TypeError(`not a day: ${day}`);
        return String(day);
      });
      const copy = client.query(
        new BinaryCopyOut(
          `COPY (select day, name, data from event_columns where workspace_id = ${literal(workspaceId)}
           and kind = ${literal(kind)} and name in (${names.map(literal).join(",")})
           and day in (${dayList.join(",")})) TO STDOUT (FORMAT binary)`,
        ),
      );
      return (await copy.done).map(([day, name, data]) => ({
        day: Number((day as Buffer).readBigInt64BE(0)),
        name: (name as Buffer).toString(),
        data: data as Buffer,
      }));
    },
  };
}
