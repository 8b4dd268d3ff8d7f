import { parentPort, workerData } from "node:worker_threads";
import SQLite from "better-sqlite3";
import type { EventKind } from "../../domain/events/model.js";
import { type ColumnRow, scanColumns } from "../sql/event-column-scan.js";
import type { ScanRequest, ScanResponse } from "./column-scan-threads.js";

const connection = new SQLite((workerData as { file: string }).file, { readonly: true, fileMustExist: true });
connection.pragma("busy_timeout = 5000");

/** One statement per shape of the IN lists: a scan asks for a few names and up to a month of days at a time. */
const statements = new Map<string, SQLite.Statement>();

function read(workspaceId: string, kind: EventKind, names: string[], days: number[]): ColumnRow[] {
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
}

parentPort?.on("message", async ({ id, query, links, pieces }: ScanRequest) => {
  let response: ScanResponse;
  try {
    const rows = await scanColumns(
      async (kind, names, days) => read(query.workspaceId, kind, names, days),
      { ...query, links: links === null ? null : new Set(links) },
      pieces,
    );
    response = { id, rows };
  } catch (error) {
    response = { id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(response);
});
