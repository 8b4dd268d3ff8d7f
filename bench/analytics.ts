// GET /analytics latency over a year of seeded events (see bench/README.md).
// Usage: npx tsx bench/analytics.ts [--json]
// env: BENCH_CLICKS (10000000), BENCH_LINKS (300), BENCH_DAYS (365), BENCH_RUNS (7), BENCH_KEEP_DATA (unset)
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import { seedAnalytics } from "./lib/seed-analytics.js";
import { freePort, httpRequest, onExit, repoRoot, spawnServer, waitForHttp } from "./lib/server.js";

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return n;
}

const clicks = Math.round(envNumber("BENCH_CLICKS", 10_000_000));
const linkCount = Math.round(envNumber("BENCH_LINKS", 300));
const days = Math.round(envNumber("BENCH_DAYS", 365));
const runs = Math.round(envNumber("BENCH_RUNS", 7));
const asJson = process.argv.includes("--json");
const out = asJson ? process.stderr : process.stdout;
const log = (line = "") => out.write(`${line}\n`);

const INTERVALS = ["24h", "7d", "30d", "90d", "1y", "all"] as const;
const GROUP_BYS = [
  "count",
  "timeseries",
  "top_links",
  "top_urls",
  "top_domains",
  "countries",
  "continents",
  "regions",
  "cities",
  "devices",
  "browsers",
  "os",
  "referers",
  "referer_urls",
  "triggers",
  "utm_sources",
  "utm_campaigns",
] as const;

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

function createApiKey(dataDir: string): string {
  const run = (args: string[]) =>
    execFileSync(process.execPath, ["dist/cli.js", ...args], {
      cwd: repoRoot,
      env: { ...process.env, DATA_DIR: dataDir },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  const line = run(["keys", "create", "--json"]).trim().split("\n").pop() ?? "";
  const created = JSON.parse(line) as { key?: unknown };
  if (typeof created.key !== "string") throw new Error(`keys create: unexpected output ${line}`);
  return created.key;
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "clicktrail-bench-analytics-"));
const keepData = Boolean(process.env.BENCH_KEEP_DATA);
if (!keepData) onExit(() => fs.rmSync(dataDir, { recursive: true, force: true }));

type Timing = {
  name: string;
  query: string;
  p50: number;
  min: number;
  max: number;
  items: number;
  status: number;
};

const cpus = os.cpus();
log(
  `machine: ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? "unknown"}), node ${process.version}, ${os.platform()} ${os.arch()}`,
);
ensureBuilt();
const apiKey = createApiKey(dataDir);
const file = path.join(dataDir, "clicktrail.sqlite");
const workspaceId = (() => {
  const db = new SQLite(file, { readonly: true });
  const id = db.prepare("SELECT id FROM workspaces LIMIT 1").pluck().get() as string;
  db.close();
  return id;
})();

log(`seeding ${fmt(clicks)} clicks over ${days} days and ${linkCount} links into ${file} ...`);
let lastReport = 0;
const seeded = seedAnalytics({
  file,
  workspaceId,
  clicks,
  links: linkCount,
  days,
  until: Date.now(),
  leadRate: 0.025,
  saleRate: 0.35,
  onDay: (day, total, sofar) => {
    if (Date.now() - lastReport < 5_000 && day < total) return;
    lastReport = Date.now();
    out.write(`  day ${day}/${total}: ${fmt(sofar)} clicks\n`);
  },
});
const size = fs.statSync(file).size;
log(
  `seeded ${fmt(seeded.clicks)} clicks, ${fmt(seeded.leads)} leads, ${fmt(seeded.sales)} sales, ` +
    `${fmt(seeded.rollupRows)} rollup rows in ${fmt(seeded.timings.total / 1000, 1)} s ` +
    `(events ${fmt(seeded.timings.events / 1000, 1)} s, rollups ${fmt(seeded.timings.rollups / 1000, 1)} s); ` +
    `database ${fmt(size / 1024 ** 3, 2)} GiB`,
);

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
  },
});
const timings: Timing[] = [];
try {
  await waitForHttp(server, "/healthz", { timeoutMs: 60_000 });

  async function time(name: string, params: Record<string, string>): Promise<Timing> {
    const query = new URLSearchParams({ event: "composite", ...params }).toString();
    const url = `${server.baseUrl}/api/analytics?${query}`;
    const samples: number[] = [];
    let items = 0;
    let status = 0;
    for (let i = 0; i <= runs; i++) {
      const started = performance.now();
      const res = await httpRequest(url, {
        headers: { authorization: `Bearer ${apiKey}` },
        timeoutMs: 120_000,
      });
      const elapsed = performance.now() - started;
      status = res.status;
      if (res.status !== 200) throw new Error(`GET /api/analytics?${query}: HTTP ${res.status} ${res.body}`);
      const body = JSON.parse(res.body) as unknown;
      items = Array.isArray(body) ? body.length : 1;
      if (i > 0) samples.push(elapsed); // the first run warms caches
    }
    const timing = {
      name,
      query,
      p50: median(samples),
      min: Math.min(...samples),
      max: Math.max(...samples),
      items,
      status,
    };
    timings.push(timing);
    return timing;
  }

  log(
    `\nGET /api/analytics?event=composite&groupBy=…&interval=… : p50 of ${runs} runs (ms), after one warm-up run`,
  );
  log(`${"groupBy".padEnd(16)}${INTERVALS.map((i) => i.padStart(9)).join("")}`);
  for (const groupBy of GROUP_BYS) {
    const cells: string[] = [];
    for (const interval of INTERVALS)
      cells.push(fmt((await time(groupBy, { groupBy, interval })).p50, 1).padStart(9));
    log(`${groupBy.padEnd(16)}${cells.join("")}`);
  }

  const extras: [string, Record<string, string>][] = [
    [
      "timeseries, America/New_York, 30d",
      { groupBy: "timeseries", interval: "30d", timezone: "America/New_York" },
    ],
    [
      "timeseries, America/New_York, 1y",
      { groupBy: "timeseries", interval: "1y", timezone: "America/New_York" },
    ],
    [
      "timeseries, Asia/Kolkata (+5:30), 30d",
      { groupBy: "timeseries", interval: "30d", timezone: "Asia/Kolkata" },
    ],
    ["count, linkId = top link, 1y", { groupBy: "count", interval: "1y", linkId: seeded.topLinkId }],
    [
      "timeseries, linkId = top link, 1y",
      { groupBy: "timeseries", interval: "1y", linkId: seeded.topLinkId },
    ],
    ["countries, linkId = top link, 1y", { groupBy: "countries", interval: "1y", linkId: seeded.topLinkId }],
    ["top_links, tenantId (25 links), 1y", { groupBy: "top_links", interval: "1y", tenantId: "tenant_3" }],
    ["count, country = US (rollups), 1y", { groupBy: "count", interval: "1y", country: seeded.topCountry }],
    [
      "timeseries, country = US (rollups), 30d",
      { groupBy: "timeseries", interval: "30d", country: seeded.topCountry },
    ],
    ["count, city (raw events), 24h", { groupBy: "count", interval: "24h", city: seeded.topCity }],
    ["count, city (raw events), 30d", { groupBy: "count", interval: "30d", city: seeded.topCity }],
    [
      "devices, country = US (raw events), 7d",
      { groupBy: "devices", interval: "7d", country: seeded.topCountry },
    ],
  ];
  log("\nfilters and time zones: p50 (ms)");
  for (const [name, params] of extras) {
    const t = await time(name, params);
    log(`${name.padEnd(44)}${fmt(t.p50, 1).padStart(9)}   (${t.items} item${t.items === 1 ? "" : "s"})`);
  }

  const overall = timings.filter((t) => GROUP_BYS.includes(t.name as (typeof GROUP_BYS)[number]));
  const worst = overall.reduce((a, b) => (b.p50 > a.p50 ? b : a));
  log(`\nslowest groupBy × interval: ${worst.query} at ${fmt(worst.p50, 1)} ms`);
  if (keepData) log(`data kept in ${dataDir}`);

  if (asJson) {
    process.stdout.write(
      `${JSON.stringify({
        node: process.version,
        cpus: cpus.length,
        cpuModel: cpus[0]?.model.trim() ?? null,
        seeded: { ...seeded, databaseBytes: size, days, links: linkCount },
        runs,
        timings,
      })}\n`,
    );
  }
} catch (err) {
  const tail = server.outputTail();
  if (tail) process.stderr.write(`--- ${server.name} output (last lines) ---\n${tail}\n`);
  throw err;
} finally {
  await server.stop();
}
