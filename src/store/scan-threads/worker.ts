import { parentPort, workerData } from "node:worker_threads";
import { scanColumns } from "../sql/event-column-scan.js";
import { type ColumnSource, openColumnSource } from "./column-sources.js";
import type { ScanRequest, ScanResponse } from "./pool.js";

const opened = openColumnSource((workerData as { source: ColumnSource }).source);
// A failed connection is reported to every scan asked of this thread, not as an unhandled rejection.
opened.catch(() => {});

parentPort?.on("message", async ({ id, query, links, pieces }: ScanRequest) => {
  let response: ScanResponse;
  try {
    const source = await opened;
    const rows = await scanColumns(
      (kind, names, days) => source.read(query.workspaceId, kind, names, days),
      { ...query, links: links === null ? null : new Set(links) },
      pieces,
      source.daysPerRead,
    );
    response = { id, rows };
  } catch (error) {
    response = { id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(response);
});
