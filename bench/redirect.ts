// Redirect throughput: Clicktrail's tracked redirect vs a bare fastify 302 (see bench/README.md).
// Usage: npx tsx bench/redirect.ts [--json]   env: BENCH_SECONDS (10), BENCH_CONNECTIONS (50)
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import { createServer } from "node:http";
import os from "node:os";
import path from "node:path";
import { BROWSER_UA, type LoadResult, runLoad, visitorIps } from "./lib/load.js";
import {
  freePort,
  httpRequest,
  onExit,
  repoRoot,
  type ServerProcess,
  spawnServer,
  waitForHttp,
} from "./lib/server.js";

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return n;
}

const seconds = envNumber("BENCH_SECONDS", 10);
const connections = Math.round(envNumber("BENCH_CONNECTIONS", 50));
const asJson = process.argv.includes("--json");
// With --json, stdout carries only the JSON object; everything human-readable goes to stderr.
const out = asJson ? process.stderr : process.stdout;
const log = (line = "") => out.write(`${line}\n`);

const LINK = { url: "https://example.com/landing?ref=bench", key: "bench", trackConversion: true };

function ensureBuilt(): void {
  if (fs.existsSync(path.join(repoRoot, "dist/main.js")) && fs.existsSync(path.join(repoRoot, "dist/cli.js")))
    return;
  log("dist/ not built: running npm run build");
  const res = spawnSync("npm", ["run", "build"], {
    cwd: repoRoot,
    stdio: ["ignore", asJson ? 2 : "inherit", "inherit"],
  });
  if (res.status !== 0) throw new Error(`npm run build failed (exit ${res.status ?? res.signal})`);
}

/** Runs `node dist/cli.js ...args` and parses the JSON line it prints. */
function cli(dataDir: string, args: string[]): Record<string, unknown> {
  const stdout = execFileSync(process.execPath, ["dist/cli.js", ...args], {
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

function createApiKey(dataDir: string): string {
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

interface Scenario extends LoadResult {
  name: string;
  non302: number;
}

function scenario(name: string, r: LoadResult): Scenario {
  const non302 = Object.entries(r.statusCounts).reduce(
    (sum, [code, n]) => (code === "302" ? sum : sum + n),
    0,
  );
  return { name, ...r, non302 };
}

function reportErrors(s: Scenario): void {
  if (s.non302 === 0 && s.errors === 0) return;
  const codes = Object.entries(s.statusCounts)
    .filter(([code]) => code !== "302")
    .map(([code, n]) => `${code}: ${n}`)
    .join(", ");
  log(
    `ERRORS ${s.name}: ${s.non302} non-302 responses (${codes || "none"}), ${s.errors} connection errors, ${s.timeouts} timeouts`,
  );
}

/** Polls the link's click counter until it reaches `expected` (clicks may be written asynchronously). */
async function waitForClicks(
  baseUrl: string,
  apiKey: string,
  domain: string,
  expected: number,
): Promise<number> {
  const url = `${baseUrl}/api/links/info?domain=${encodeURIComponent(domain)}&key=${LINK.key}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await httpRequest(url, { headers: { authorization: `Bearer ${apiKey}` } });
    if (res.status !== 200) throw new Error(`GET /api/links/info: HTTP ${res.status} ${res.body}`);
    const { clicks } = JSON.parse(res.body) as { clicks?: unknown };
    if (typeof clicks !== "number")
      throw new Error(`GET /api/links/info: no numeric "clicks" in ${res.body}`);
    if (clicks >= expected || Date.now() > deadline) return clicks;
    await new Promise((r) => setTimeout(r, 250));
  }
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "clicktrail-bench-"));
const removeDataDir = () => fs.rmSync(dataDir, { recursive: true, force: true });
onExit(removeDataDir);
const servers: ServerProcess[] = [];

async function stopServer(server: ServerProcess): Promise<void> {
  if (!(await server.stop()))
    log(`WARNING: ${server.name} did not exit within 10 s of SIGTERM; killed with SIGKILL`);
}

try {
  const cpus = os.cpus();
  log(
    `machine: ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? "unknown"}), node ${process.version}, ${os.platform()} ${os.arch()}`,
  );
  log(
    `load: ${connections} connections, ${seconds} s per scenario, one new visitor (X-Forwarded-For) per request`,
  );

  ensureBuilt();
  const apiKey = createApiKey(dataDir);

  const port = await freePort();
  const server = spawnServer({
    name: "clicktrail",
    port,
    args: ["dist/main.js"],
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
  servers.push(server);
  await waitForHttp(server, "/healthz");

  const created = await httpRequest(`${server.baseUrl}/api/links`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}` },
    body: LINK,
  });
  if (created.status < 200 || created.status >= 300)
    throw new Error(`POST /api/links: HTTP ${created.status} ${created.body}`);
  const link = JSON.parse(created.body) as { domain: string; key: string; shortLink: string };
  log(`link: ${link.shortLink} (domain ${link.domain})`);

  const nextIp = visitorIps();
  const visitor = (host: string | undefined) => () => ({
    "user-agent": BROWSER_UA,
    "x-forwarded-for": nextIp(),
    ...(host === undefined ? {} : { host }),
  });

  // The link belongs to `link.domain`; try that as Host first, then the bare address we listen on.
  let host: string | undefined;
  let probeClicks = 0;
  const probes: string[] = [];
  for (const candidate of new Set([link.domain, undefined])) {
    const res = await httpRequest(`${server.baseUrl}/${LINK.key}`, { headers: visitor(candidate)() });
    probes.push(
      `Host ${candidate ?? `127.0.0.1:${port}`} -> ${res.status} ${res.headers.location ?? ""}`.trim(),
    );
    if (res.status === 302) {
      host = candidate;
      probeClicks = 1;
      break;
    }
  }
  log(`probe: ${probes.join("; ")}`);
  if (probeClicks === 0)
    log("WARNING: the short link did not answer 302 to a single request; running anyway");

  log(`running clicktrail (${seconds} s)...`);
  const a = scenario(
    "clicktrail redirect, tracked",
    await runLoad({ url: `${server.baseUrl}/${LINK.key}`, seconds, connections, headers: visitor(host) }),
  );
  const expectedClicks = (a.statusCounts["302"] ?? 0) + probeClicks;
  // Requests in flight when autocannon stopped may reach the server (and be counted) without a counted response.
  const inFlight = Math.max(0, a.sentRequests - a.totalRequests);
  const recordedClicks = await waitForClicks(server.baseUrl, apiKey, link.domain, expectedClicks);

  // Same load while a webhook receiver is subscribed to link.clicked: delivery must not slow the redirect.
  let received = 0;
  const receiver = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      received++;
      response.end("ok");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const receiverPort = (receiver.address() as { port: number }).port;
  const hook = await httpRequest(`${server.baseUrl}/api/webhooks`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}` },
    body: { name: "bench", url: `http://127.0.0.1:${receiverPort}/`, triggers: ["link.clicked"] },
  });
  if (hook.status !== 200) throw new Error(`POST /api/webhooks: HTTP ${hook.status} ${hook.body}`);
  await new Promise((resolve) => setTimeout(resolve, 2_500)); // the subscriber check is cached for 2 s
  log(`running clicktrail with a link.clicked webhook (${seconds} s)...`);
  const w = scenario(
    "tracked + link.clicked webhook",
    await runLoad({ url: `${server.baseUrl}/${LINK.key}`, seconds, connections, headers: visitor(host) }),
  );
  const webhookEvents = w.statusCounts["302"] ?? 0;
  const drainStarted = Date.now();
  while (received < webhookEvents && Date.now() - drainStarted < 120_000) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const drainSeconds = (Date.now() - drainStarted) / 1000;
  receiver.close();
  await stopServer(server);

  const basePort = await freePort();
  const baseline = spawnServer({
    name: "baseline",
    port: basePort,
    args: ["--import", "tsx", "bench/lib/baseline-server.ts"],
    env: { PORT: String(basePort), LINK_KEY: LINK.key, LINK_URL: LINK.url },
  });
  servers.push(baseline);
  await waitForHttp(baseline, `/${LINK.key}`, { status: 302 });
  log(`running baseline (${seconds} s)...`);
  const b = scenario(
    "baseline (fastify + Map)",
    await runLoad({ url: `${baseline.baseUrl}/${LINK.key}`, seconds, connections, headers: visitor(host) }),
  );
  await stopServer(baseline);

  const rpsRatio = ratio(a.requestsPerSec, b.requestsPerSec);
  const p99Ratio = ratio(a.latencyP99Ms, b.latencyP99Ms);
  const clicksMatch = recordedClicks >= expectedClicks && recordedClicks <= expectedClicks + inFlight;

  log();
  log(
    `${"scenario".padEnd(30)}${"req/s".padStart(12)}${"p50 ms".padStart(10)}${"p99 ms".padStart(10)}${"requests".padStart(12)}`,
  );
  for (const s of [a, w, b]) {
    log(
      `${s.name.padEnd(30)}${fmt(s.requestsPerSec, 1).padStart(12)}${fmt(s.latencyP50Ms, 2).padStart(10)}` +
        `${fmt(s.latencyP99Ms, 2).padStart(10)}${fmt(s.totalRequests).padStart(12)}`,
    );
  }
  log();
  log(`clicktrail / baseline: req/s ${rpsRatio?.toFixed(3) ?? "n/a"}, p99 ${p99Ratio?.toFixed(3) ?? "n/a"}`);
  const webhookRatio = ratio(w.requestsPerSec, a.requestsPerSec);
  log(
    `with webhook / without: req/s ${webhookRatio?.toFixed(3) ?? "n/a"}, p99 ${ratio(w.latencyP99Ms, a.latencyP99Ms)?.toFixed(3) ?? "n/a"}; ` +
      `link.clicked delivered ${received} of ${webhookEvents} (the rest up to the in-flight requests), ` +
      `${drainSeconds.toFixed(1)} s after the load stopped`,
  );
  log(
    `clicks recorded: ${recordedClicks}; 302 responses: ${expectedClicks} (incl. ${probeClicks} probe)` +
      (inFlight > 0 ? `, plus up to ${inFlight} in flight at stop` : ""),
  );
  if (!clicksMatch)
    log(`WARNING: recorded clicks (${recordedClicks}) do not match the 302 responses (${expectedClicks})`);
  reportErrors(a);
  reportErrors(b);
  for (const s of servers) {
    const tail = s.outputTail(10);
    if (tail) log(`--- ${s.name} output (last lines) ---\n${tail}`);
  }

  if (asJson) {
    const summary = {
      node: process.version,
      cpus: cpus.length,
      cpuModel: cpus[0]?.model.trim() ?? null,
      connections,
      seconds,
      scenarios: { clicktrail: a, clicktrailWithWebhook: w, baseline: b },
      webhook: { events: webhookEvents, delivered: received, drainSeconds, ratio: webhookRatio },
      clicks: { recorded: recordedClicks, expected: expectedClicks, inFlight, match: clicksMatch },
      ratios: { requestsPerSec: rpsRatio, p99: p99Ratio },
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  }
} catch (err) {
  for (const s of servers) {
    const tail = s.outputTail();
    if (tail) process.stderr.write(`--- ${s.name} output (last lines) ---\n${tail}\n`);
  }
  throw err;
} finally {
  for (const s of servers) await stopServer(s);
  removeDataDir();
}
