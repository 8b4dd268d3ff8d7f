// wrk (Debian's /usr/bin/wrk) driven from a generated Lua script: every request gets its own User-Agent and
// X-Forwarded-For (a new visitor), and may carry a per-request JSON body. Latencies come from wrk's own
// histogram (microsecond resolution); RSS is sampled from /proc while the load runs.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export interface WrkResult {
  requestsPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  totalRequests: number;
  durationSec: number;
  /** Responses with a status ≥ 400 (wrk counts these as errors). */
  badStatus: number;
  /** connect, read, write errors and timeouts. */
  socketErrors: number;
  /** Highest resident set size of `rssOf` while the load ran, MB (null: not sampled). */
  peakRssMb: number | null;
  /**
   * CPU time of `rssOf` (every thread) per request, µs, counted until the process has settled after the load,
   * so that work it deferred is included. Unlike req/s, it hardly moves with the load of the rest of the machine.
   */
  cpuUsPerRequest: number | null;
}

export type WrkRequest = {
  url: string;
  method?: "GET" | "POST";
  seconds: number;
  connections: number;
  threads?: number;
  /** Static headers sent with every request. */
  headers?: Record<string, string>;
  /**
   * Lua expression of the request body, evaluated per request with `n` the request's unique number,
   * e.g. `'{"id":"c' .. n .. '"}'`.
   */
  bodyLua?: string;
  /** The process whose RSS to sample while the load runs. */
  rssOf?: number;
};

const UA_BASE =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.%d.%d.0 Safari/537.36";

function luaString(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function script(opts: WrkRequest): string {
  const headers = Object.entries(opts.headers ?? {})
    .map(([k, v]) => `wrk.headers[${luaString(k)}] = ${luaString(v)}`)
    .join("\n");
  return `
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
wrk.method = ${luaString(opts.method ?? "GET")}
${headers}
local count = 0
local seed = ${Math.floor(Math.random() * 1e6)}
request = function()
  count = count + 1
  local n = tid * 16777216 + count
  wrk.headers["User-Agent"] = string.format(${luaString(UA_BASE)}, seed, n)
  wrk.headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", (tid + seed) % 256, math.floor(count / 256) % 256, count % 256)
  local body = ${opts.bodyLua ?? "nil"}
  return wrk.format(nil, nil, nil, body)
end
done = function(summary, latency, requests)
  io.write(string.format("WRK_JSON {\\"requests\\":%d,\\"duration_us\\":%d,\\"status\\":%d,\\"connect\\":%d,\\"read\\":%d,\\"write\\":%d,\\"timeout\\":%d,\\"p50\\":%d,\\"p99\\":%d}\\n",
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, latency:percentile(50), latency:percentile(99)))
end
`;
}

/** Resident set size of a process in MB, from /proc (null when it is gone or /proc is missing). */
export function rssMb(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
    return kb === undefined ? null : Number(kb) / 1024;
  } catch {
    return null;
  }
}

const TICK_US = 10_000; // /proc/<pid>/stat counts in clock ticks of 10 ms (USER_HZ 100 on Linux)

/** User + system CPU time of a process and all its threads, in clock ticks (null when it is gone). */
function cpuTicks(pid: number): number | null {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

/** The process's CPU ticks once it has used at most one tick in 500 ms (or after 20 s). */
async function settledCpuTicks(pid: number): Promise<number | null> {
  let last = cpuTicks(pid);
  for (let waited = 0; waited < 20_000 && last !== null; waited += 500) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = cpuTicks(pid);
    if (now === null || now - last <= 1) return now;
    last = now;
  }
  return last;
}

export async function runWrk(opts: WrkRequest): Promise<WrkResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clicktrail-wrk-"));
  const file = path.join(dir, "load.lua");
  fs.writeFileSync(file, script(opts));
  let peak: number | null = null;
  const sample = () => {
    if (opts.rssOf === undefined) return;
    const mb = rssMb(opts.rssOf);
    if (mb !== null) peak = Math.max(peak ?? 0, mb);
  };
  const cpuBefore = opts.rssOf === undefined ? null : await settledCpuTicks(opts.rssOf);
  const sampler = setInterval(sample, 200);
  try {
    const threads = opts.threads ?? 2;
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        "wrk",
        [
          `-t${threads}`,
          `-c${opts.connections}`,
          `-d${opts.seconds}s`,
          "--timeout",
          "10s",
          "-s",
          file,
          opts.url,
        ],
        { timeout: (opts.seconds + 30) * 1000, maxBuffer: 1 << 20 },
        (error, out, err) =>
          error ? reject(new Error(`wrk failed: ${error.message}\n${err}`)) : resolve(out),
      );
    });
    sample();
    const line = stdout.split("\n").find((l) => l.startsWith("WRK_JSON "));
    if (line === undefined) throw new Error(`wrk printed no summary:\n${stdout}`);
    const r = JSON.parse(line.slice("WRK_JSON ".length)) as Record<string, number>;
    const durationSec = r.duration_us / 1e6;
    const cpuAfter = opts.rssOf === undefined ? null : await settledCpuTicks(opts.rssOf);
    const cpuUsPerRequest =
      cpuBefore === null || cpuAfter === null || r.requests === 0
        ? null
        : ((cpuAfter - cpuBefore) * TICK_US) / r.requests;
    return {
      requestsPerSec: durationSec > 0 ? r.requests / durationSec : 0,
      latencyP50Ms: r.p50 / 1000,
      latencyP99Ms: r.p99 / 1000,
      totalRequests: r.requests,
      durationSec,
      badStatus: r.status,
      socketErrors: r.connect + r.read + r.write + r.timeout,
      peakRssMb: peak,
      cpuUsPerRequest,
    };
  } finally {
    clearInterval(sampler);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const fmt = (n: number | null, digits = 0) =>
  n === null
    ? "n/a"
    : n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** One table: every scenario's req/s, ratio to `baseline`, p50, p99, requests, peak RSS. */
export function table(
  rows: Array<{ name: string; result: WrkResult; ratioTo?: WrkResult; idleRssMb?: number | null }>,
): string {
  const head =
    `${"scenario".padEnd(36)}${"req/s".padStart(10)}${"ratio".padStart(8)}${"p50 ms".padStart(9)}` +
    `${"p99 ms".padStart(9)}${"requests".padStart(10)}${"CPU µs/req".padStart(11)}${"RSS MB".padStart(8)}${"idle MB".padStart(9)}`;
  const lines = rows.map(({ name, result: r, ratioTo, idleRssMb }) => {
    const ratio = ratioTo && ratioTo.requestsPerSec > 0 ? r.requestsPerSec / ratioTo.requestsPerSec : null;
    return (
      `${name.padEnd(36)}${fmt(r.requestsPerSec).padStart(10)}${(ratio === null ? "" : ratio.toFixed(3)).padStart(8)}` +
      `${fmt(r.latencyP50Ms, 2).padStart(9)}${fmt(r.latencyP99Ms, 2).padStart(9)}${fmt(r.totalRequests).padStart(10)}` +
      `${fmt(r.cpuUsPerRequest).padStart(11)}` +
      `${fmt(r.peakRssMb).padStart(8)}${(idleRssMb === undefined ? "" : fmt(idleRssMb)).padStart(9)}`
    );
  });
  return [head, ...lines].join("\n");
}
