// Starting Clicktrail for a load benchmark: build check, API key through the CLI, server process, link.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { httpRequest, repoRoot, type ServerProcess, spawnServer, waitForHttp } from "./server.js";

/** The compiled server to measure: BENCH_DIST names another build (an older commit's, to compare). */
const dist = process.env.BENCH_DIST ? path.resolve(process.env.BENCH_DIST) : path.join(repoRoot, "dist");

export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return n;
}

/** What a wrk load bench is told: BENCH_SECONDS, BENCH_CONNECTIONS, --json (stdout then carries only the JSON). */
export function loadOptions() {
  const asJson = process.argv.includes("--json");
  const out = asJson ? process.stderr : process.stdout;
  return {
    seconds: envNumber("BENCH_SECONDS", 10),
    connections: Math.round(envNumber("BENCH_CONNECTIONS", 50)),
    asJson,
    log: (line = "") => void out.write(`${line}\n`),
  };
}

export function ensureBuilt(log: (line: string) => void, quiet: boolean): void {
  if (fs.existsSync(path.join(dist, "main.js")) && fs.existsSync(path.join(dist, "cli.js"))) return;
  log("dist/ not built: running npm run build");
  const res = spawnSync("npm", ["run", "build"], {
    cwd: repoRoot,
    stdio: ["ignore", quiet ? 2 : "inherit", "inherit"],
  });
  if (res.status !== 0) throw new Error(`npm run build failed (exit ${res.status ?? res.signal})`);
}

/** Runs `node dist/cli.js ...args` and parses the JSON line it prints. */
function cli(dataDir: string, args: string[]): Record<string, unknown> {
  const stdout = execFileSync(process.execPath, [path.join(dist, "cli.js"), ...args], {
    cwd: repoRoot,
    env: { ...process.env, DATA_DIR: dataDir },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 30_000,
  });
  const line = stdout
    .trim()
    .split("\n")
    .reverse()
    .find((l) => l.trimStart().startsWith("{"));
  if (line === undefined) throw new Error(`cli ${args.join(" ")}: no JSON in output:\n${stdout}`);
  return JSON.parse(line) as Record<string, unknown>;
}

/** `clicktrail migrate`: a PostgreSQL database is migrated by this command, not by the server's start. */
export function migrateDatabase(dataDir: string): void {
  cli(dataDir, ["migrate", "--json"]);
}

export function createApiKey(dataDir: string): string {
  let created: Record<string, unknown>;
  try {
    created = cli(dataDir, ["keys", "create", "--json"]);
  } catch {
    const ws = cli(dataDir, ["workspaces", "create", "--name", "bench", "--json"]);
    created = cli(dataDir, ["keys", "create", "--workspace", String(ws.id), "--json"]);
  }
  if (typeof created.key !== "string")
    throw new Error(`keys create: unexpected output ${JSON.stringify(created)}`);
  return created.key;
}

/** The Node flags `clicktrail serve` runs with: those its script's second line starts Node with (src/cli.ts). */
export function serveNodeFlags(): string[] {
  const launch = fs.readFileSync(path.join(dist, "cli.js"), "utf8").split("\n")[1] ?? "";
  return (/exec node (.+) "\$0"/.exec(launch)?.[1] ?? "").split(" ").filter(Boolean);
}

/**
 * `node dist/main.js` on `dataDir` with the flags of `clicktrail serve`, ready. With BENCH_CPU_PROF=DIR the
 * server runs under `--cpu-prof` and writes its profile into DIR when it stops.
 */
export async function startClicktrail(dataDir: string, port: number): Promise<ServerProcess> {
  const profileDir = process.env.BENCH_CPU_PROF;
  const server = spawnServer({
    name: "clicktrail",
    port,
    args: [
      ...serveNodeFlags(),
      ...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []),
      path.join(dist, "main.js"),
    ],
    env: {
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      RATE_LIMIT_PER_MINUTE: "1000000",
      TRUST_PROXY: "true",
      WEBHOOK_ALLOW_PRIVATE: "true",
      WEBHOOK_POLL_MS: "200",
    },
  });
  await waitForHttp(server, "/healthz", { timeoutMs: 60_000 });
  return server;
}

export async function api(
  server: ServerProcess,
  apiKey: string,
  method: "GET" | "POST" | "PATCH",
  route: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await httpRequest(`${server.baseUrl}/api${route}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}` },
    ...(body === undefined ? {} : { body }),
  });
  if (res.status < 200 || res.status >= 300)
    throw new Error(`${method} /api${route}: HTTP ${res.status} ${res.body}`);
  return JSON.parse(res.body) as Record<string, unknown>;
}

export function machineLine(): string {
  const cpus = os.cpus();
  return `machine: ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? "unknown"}), node ${process.version}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`;
}
