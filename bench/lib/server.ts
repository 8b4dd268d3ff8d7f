// Shared helpers for benchmarks: ports, child servers, health checks, tiny HTTP client.
import { type ChildProcess, spawn } from "node:child_process";
import http from "node:http";
import net from "node:net";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

// Synchronous last-resort cleanup (kill children, remove temp dirs) for when the
// normal try/finally path is skipped: uncaught errors, Ctrl-C, SIGTERM.
const exitHooks = new Set<() => void>();
let hooksInstalled = false;

export function onExit(fn: () => void): () => void {
  if (!hooksInstalled) {
    hooksInstalled = true;
    process.on("exit", () => {
      for (const hook of exitHooks) {
        try {
          hook();
        } catch {
          // best effort
        }
      }
    });
    process.once("SIGINT", () => process.exit(130));
    process.once("SIGTERM", () => process.exit(143));
  }
  exitHooks.add(fn);
  return () => exitHooks.delete(fn);
}

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", resolve);
  });
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

// node:http rather than fetch: no redirect following, no pooling, and Host can be overridden.
export function httpRequest(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: unknown; timeoutMs?: number } = {},
): Promise<HttpResponse> {
  const headers: Record<string, string> = { ...opts.headers };
  let payload: string | undefined;
  if (opts.body !== undefined) {
    payload = JSON.stringify(opts.body);
    headers["content-type"] = "application/json";
    headers["content-length"] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? "GET", headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
      res.on("error", reject);
    });
    req.setTimeout(opts.timeoutMs ?? 5000, () =>
      req.destroy(new Error(`timeout: ${opts.method ?? "GET"} ${url}`)),
    );
    req.on("error", reject);
    req.end(payload);
  });
}

export interface ServerProcess {
  name: string;
  port: number;
  baseUrl: string;
  child: ChildProcess;
  /** Last lines the child wrote to stdout/stderr. */
  outputTail(lines?: number): string;
  /** Resolves once the child is gone (immediately if it already exited). */
  exited: Promise<void>;
  /** SIGTERM, wait up to `graceMs`, then SIGKILL. Returns false if SIGKILL was needed. */
  stop(graceMs?: number): Promise<boolean>;
}

/** After a failed run: what each server printed last, to stderr. */
export function printOutputTails(servers: readonly ServerProcess[]): void {
  for (const server of servers) {
    const tail = server.outputTail();
    if (tail) process.stderr.write(`--- ${server.name} output (last lines) ---\n${tail}\n`);
  }
}

export function spawnServer(opts: {
  name: string;
  port: number;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}): ServerProcess {
  const child = spawn(process.execPath, opts.args, {
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const removeHook = onExit(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });

  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-64 * 1024);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);

  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  }).finally(removeHook);

  return {
    name: opts.name,
    port: opts.port,
    baseUrl: `http://127.0.0.1:${opts.port}`,
    child,
    exited,
    outputTail(lines = 20) {
      return output.trimEnd().split("\n").slice(-lines).join("\n");
    },
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return true;
      child.kill("SIGTERM");
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), graceMs);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        child.kill("SIGKILL");
        await exited;
      }
      return !timedOut;
    },
  };
}

/** Poll `url` until it answers `status`; fails fast if the server process exits. */
export async function waitForHttp(
  server: ServerProcess,
  path: string,
  { status = 200, timeoutMs = 15_000 }: { status?: number; timeoutMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void server.exited.then(() => {
    exited = true;
  });
  let last = "no response";
  while (Date.now() < deadline) {
    if (exited) break;
    try {
      const res = await httpRequest(server.baseUrl + path, { timeoutMs: 1000 });
      if (res.status === status) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const why = exited
    ? `exited with code ${server.child.exitCode ?? server.child.signalCode}`
    : `not ready after ${timeoutMs} ms (last: ${last})`;
  throw new Error(`${server.name}: ${why}`);
}
