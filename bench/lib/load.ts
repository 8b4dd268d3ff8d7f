// Thin typed wrapper around autocannon (which ships no type definitions).
import { createRequire } from "node:module";

export const BROWSER_UA =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

interface RawRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
}

interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  headers?: Record<string, string>;
  requests?: Array<RawRequest & { setupRequest?: (req: RawRequest) => RawRequest }>;
}

interface AutocannonResult {
  requests: { total: number; sent: number };
  duration: number;
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
}

// Without a callback autocannon returns an EventEmitter that is also a thenable.
type AutocannonRun = PromiseLike<AutocannonResult> & {
  on(event: "response", fn: (client: unknown, status: number, bytes: number, ms: number) => void): void;
};
const autocannon = createRequire(import.meta.url)("autocannon") as (opts: AutocannonOptions) => AutocannonRun;

/** Yields a distinct IPv4 (10.x.y.z) per call, so every request looks like a new visitor. */
export function visitorIps(): () => string {
  let n = 0;
  return () => {
    n++;
    return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  };
}

export interface LoadResult {
  requestsPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  totalRequests: number;
  /** Includes requests still in flight when the run stopped (their responses are not counted). */
  sentRequests: number;
  durationSec: number;
  statusCounts: Record<string, number>;
  errors: number;
  timeouts: number;
}

/** GET `url` for `seconds` on `connections` keep-alive connections; `headers()` runs per request. */
export async function runLoad(opts: {
  url: string;
  seconds: number;
  connections: number;
  headers: () => Record<string, string>;
}): Promise<LoadResult> {
  const run = autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.seconds,
    requests: [
      { method: "GET", setupRequest: (req) => ({ ...req, headers: { ...req.headers, ...opts.headers() } }) },
    ],
  });
  // autocannon's latency histogram has 1 ms resolution; keep every exact timing instead.
  const timings: number[] = [];
  run.on("response", (_client, _status, _bytes, ms) => timings.push(ms));
  const result = await run;

  const sorted = Float64Array.from(timings).sort();
  const percentile = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  const statusCounts: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats)) statusCounts[code] = Number(count);
  return {
    // total / duration rather than requests.average, which a trailing partial one-second sample drags down.
    requestsPerSec: result.duration > 0 ? result.requests.total / result.duration : 0,
    latencyP50Ms: percentile(50),
    latencyP99Ms: percentile(99),
    totalRequests: result.requests.total,
    sentRequests: result.requests.sent,
    durationSec: result.duration,
    statusCounts,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}
