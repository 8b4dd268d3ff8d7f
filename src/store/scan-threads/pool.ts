import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { ColumnScanner, Piece, ScannedRow, ScanQuery } from "../sql/event-column-scan.js";
import type { ColumnSource } from "./column-sources.js";

export type ScanRequest = {
  id: number;
  query: Omit<ScanQuery, "links">;
  links: string[] | null;
  pieces: readonly Piece[];
};
export type ScanResponse = { id: number; rows: ScannedRow[] } | { id: number; error: string };

const WORKER_SCRIPT = new URL("./worker.js", import.meta.url);
/** A thread left without work this long ends, and gives back its memory; the next scan starts it again. */
const IDLE_MS = 60_000;
/**
 * V8's default young generation (32 MB and more a thread) kept each thread ~50 MB larger under a run of scans; 8 MB
 * took the server's peak from ~317 to ~252 MB on the 10M bench, with no change in speed beyond the machine's noise.
 */
const YOUNG_GENERATION_MB = 8;

/**
 * Column scans on reader threads, each with its own connection to the database (ADR 33): the days of a scan are
 * dealt out among the threads, which read and count them side by side, and the event loop goes on serving while
 * they do. Null when the threads cannot run here (none asked for, or the worker's script is not built, as under
 * `tsx src/…`): the caller scans on the event loop then.
 */
export function columnScanThreads(
  source: ColumnSource,
  threads: number,
  idleMs = IDLE_MS,
): ColumnScanThreads | null {
  if (threads < 1 || !existsSync(fileURLToPath(WORKER_SCRIPT))) return null;
  return new ColumnScanThreads(source, threads, idleMs);
}

export class ColumnScanThreads implements ColumnScanner {
  private readonly readers: (Reader | null)[];

  constructor(
    private readonly source: ColumnSource,
    readonly threads: number,
    private readonly idleMs: number,
  ) {
    this.readers = Array.from({ length: threads }, () => null);
  }

  /** Threads started and not ended (idle, closed or dead). */
  get running(): number {
    return this.readers.filter((reader) => reader !== null && !reader.ended).length;
  }

  async scan(query: ScanQuery, pieces: readonly Piece[]): Promise<ScannedRow[]> {
    const days = [...new Set(pieces.map((piece) => piece.day))].sort((a, b) => a - b);
    const shards = Math.min(this.readers.length, days.length);
    // Every shard-th day, so that each thread gets as many weekdays, weekends and recent (busier) days as another.
    const shardOf = new Map(days.map((day, index) => [day, index % shards]));
    const dealt = Array.from({ length: shards }, () => [] as Piece[]);
    for (const piece of pieces) dealt[shardOf.get(piece.day) ?? 0].push(piece);
    const { links, ...rest } = query;
    const linkIds = links === null ? null : [...links];
    const counted = await Promise.all(
      dealt.map((shard, index) => this.reader(index).run({ query: rest, links: linkIds, pieces: shard })),
    );
    return shards === 1 ? counted[0] : merged(counted);
  }

  async close(): Promise<void> {
    await Promise.all(this.readers.map((reader) => reader?.close()));
    this.readers.fill(null);
  }

  private reader(index: number): Reader {
    let reader = this.readers[index];
    if (!reader || reader.ended) {
      reader = new Reader(this.source, this.idleMs);
      this.readers[index] = reader;
    }
    return reader;
  }
}

/** The shards' rows summed per bucket and key. */
function merged(parts: ScannedRow[][]): ScannedRow[] {
  const rows = new Map<string, ScannedRow>();
  for (const part of parts)
    for (const row of part) {
      const id = `${row[0]} ${row[1]}`;
      const known = rows.get(id);
      if (!known) rows.set(id, row);
      else {
        known[2] += row[2];
        known[3] += row[3];
        known[4] += row[4];
        known[5] += row[5];
      }
    }
  return [...rows.values()];
}

/** One thread; holds the process open only while it has work. */
class Reader {
  private readonly worker: Worker;
  private readonly pending = new Map<
    number,
    { resolve(rows: ScannedRow[]): void; reject(error: Error): void }
  >();
  private nextId = 0;
  private idle: NodeJS.Timeout | null = null;
  ended = false;

  constructor(
    source: ColumnSource,
    private readonly idleMs: number,
  ) {
    this.worker = new Worker(WORKER_SCRIPT, {
      workerData: { source },
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    this.worker.unref();
    this.worker.on("message", (response: ScanResponse) => {
      const waiting = this.pending.get(response.id);
      this.pending.delete(response.id);
      if ("error" in response) waiting?.reject(new Error(response.error));
      else waiting?.resolve(response.rows);
      this.settle();
    });
    this.worker.on("error", (error) => this.end(error));
    this.worker.on("exit", (code) => this.end(new Error(`a column scan thread ended (exit code ${code})`)));
  }

  run(request: Omit<ScanRequest, "id">): Promise<ScannedRow[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.idle) clearTimeout(this.idle);
      this.idle = null;
      this.worker.ref();
      this.worker.postMessage({ id, ...request } satisfies ScanRequest);
    });
  }

  async close(): Promise<void> {
    this.ended = true;
    await this.worker.terminate();
  }

  private settle(): void {
    if (this.pending.size > 0) return;
    this.worker.unref();
    this.idle = setTimeout(() => void this.close(), this.idleMs).unref();
  }

  private end(error: Error): void {
    this.ended = true;
    if (this.idle) clearTimeout(this.idle);
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}
