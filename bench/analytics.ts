// GET /analytics latency over a year of seeded events (see bench/README.md).
// Usage: npx tsx bench/analytics.ts [--json] [--data-dir DIR] [--database-url postgres://…] [--no-columns] [--matrix-only]
// env: BENCH_CLICKS (10000000), BENCH_LINKS (300), BENCH_DAYS (365), BENCH_RUNS (7), BENCH_MATRIX_RUNS (5),
//      BENCH_KEEP_DATA (unset)
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import { type Kysely, Kysely as KyselyDb, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { api, serveNodeFlags } from "./lib/clicktrail.js";
import { seedAnalytics } from "./lib/seed-analytics.js";
import {
  freePort,
  httpRequest,
  onExit,
  printOutputTails,
  repoRoot,
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

const clicks = Math.round(envNumber("BENCH_CLICKS", 10_000_000));
const linkCount = Math.round(envNumber("BENCH_LINKS", 300));
const days = Math.round(envNumber("BENCH_DAYS", 365));
const runs = Math.round(envNumber("BENCH_RUNS", 7));
const matrixRuns = Math.round(envNumber("BENCH_MATRIX_RUNS", 5));
const asJson = process.argv.includes("--json");
const option = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
/** A directory seeded before (BENCH_KEEP_DATA, or bench:dashboard's): reused, not seeded again. */
const reusedDir = option("--data-dir");
/** Serve from this PostgreSQL database instead (seeded beforehand, e.g. with `clicktrail copy` of --data-dir). */
const databaseUrl = option("--database-url");
const buildColumns = !process.argv.includes("--no-columns");
const matrixOnly = process.argv.includes("--matrix-only");
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

function createApiKey(): string {
  const run = (args: string[]) =>
    execFileSync(process.execPath, ["dist/cli.js", ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...serverEnv },
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
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
};
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Every groupBy the API accepts (`trigger` is `triggers` under its older name). */
const API_GROUP_BYS = [
  "count",
  "timeseries",
  "continents",
  "regions",
  "countries",
  "cities",
  "devices",
  "browsers",
  "os",
  "triggers",
  "referers",
  "referer_urls",
  "top_links",
  "top_link_tags",
  "top_folders",
  "top_urls",
  "top_base_urls",
  "top_domains",
  "utm_sources",
  "utm_mediums",
  "utm_campaigns",
  "utm_terms",
  "utm_contents",
] as const;

/** Resident memory of a process, in bytes (0 when unknown). */
function rssOf(pid: number | undefined): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

async function firstCustomerId(): Promise<string> {
  if (databaseUrl) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query(
        "select customer_id from lead_events order by timestamp desc limit 1",
      );
      return String(rows[0]?.customer_id ?? "none");
    } finally {
      await client.end();
    }
  }
  const db = new SQLite(path.join(dataDir, "clicktrail.sqlite"), { readonly: true });
  try {
    return String(
      db.prepare("select customer_id from lead_events order by timestamp desc limit 1").pluck().get() ??
        "none",
    );
  } finally {
    db.close();
  }
}

const dataDir = reusedDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "clicktrail-bench-analytics-"));
const keepData = Boolean(process.env.BENCH_KEEP_DATA) || reusedDir !== undefined;
if (!keepData) onExit(() => fs.rmSync(dataDir, { recursive: true, force: true }));
// The bench writes the multi-GiB file itself: a quick_check at the server's start would take minutes (longer than
// the start is waited for at 10M clicks).
const serverEnv = {
  DATA_DIR: dataDir,
  SQLITE_INTEGRITY_CHECK: "off",
  ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
};

type Timing = {
  name: string;
  query: string;
  p50: number;
  p99: number;
  min: number;
  max: number;
  items: number;
  status: number;
};

const cpus = os.cpus();
log(
  `machine: ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? "unknown"}), node ${process.version}, ${os.platform()} ${os.arch()}, load average ${os
    .loadavg()
    .map((load) => load.toFixed(1))
    .join(" ")}`,
);
log(
  `column scan threads: ANALYTICS_THREADS=${process.env.ANALYTICS_THREADS ?? "unset (the server's default)"}`,
);
ensureBuilt();
log(`server: node ${serveNodeFlags().join(" ")} dist/main.js (as \`clicktrail serve\` starts it)`);
const apiKey = createApiKey();
const file = path.join(dataDir, "clicktrail.sqlite");
const workspaceId = (() => {
  const db = new SQLite(file, { readonly: true });
  const id = db.prepare("SELECT id FROM workspaces ORDER BY created_at LIMIT 1").pluck().get() as string;
  db.close();
  return id;
})();

type Seeded = ReturnType<typeof seedAnalytics>;
let seeded: Seeded;
if (reusedDir) {
  seeded = JSON.parse(fs.readFileSync(path.join(reusedDir, "bench-seed.json"), "utf8")) as Seeded;
  log(
    `reusing ${fmt(seeded.clicks)} clicks seeded in ${reusedDir}${databaseUrl ? ", served from PostgreSQL" : ""}`,
  );
} else {
  log(`seeding ${fmt(clicks)} clicks over ${days} days and ${linkCount} links into ${file} ...`);
  let lastReport = 0;
  seeded = seedAnalytics({
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
  log(
    `seeded ${fmt(seeded.clicks)} clicks, ${fmt(seeded.leads)} leads, ${fmt(seeded.sales)} sales, ` +
      `${fmt(seeded.rollupRows)} rollup rows in ${fmt(seeded.timings.total / 1000, 1)} s ` +
      `(events ${fmt(seeded.timings.events / 1000, 1)} s, rollups ${fmt(seeded.timings.rollups / 1000, 1)} s); ` +
      `database ${fmt(fs.statSync(file).size / 1024 ** 3, 2)} GiB`,
  );
  // What `--data-dir` reads back when a later run reuses the kept directory.
  if (keepData)
    fs.writeFileSync(
      path.join(dataDir, "bench-seed.json"),
      JSON.stringify({ ...seeded, seededAt: new Date().toISOString() }),
    );
}
const size = fs.statSync(file).size;

if (buildColumns) {
  // The servers build event columns in the background, a few days at a time; built here at once, and timed.
  const { EventColumns } = (await import(path.join(repoRoot, "dist/store/sql/event-columns.js"))) as {
    EventColumns: new (db: Kysely<never>) => { buildDue(now: number, maxDays: number): Promise<number> };
  };
  const { migrateToLatest, sqliteMigrations, postgresMigrations } = (await import(
    path.join(repoRoot, "dist/store/migrations/index.js")
  )) as {
    migrateToLatest(db: Kysely<never>, list: unknown): Promise<string[]>;
    sqliteMigrations: unknown;
    postgresMigrations: unknown;
  };
  const pool = databaseUrl ? new pg.Pool({ connectionString: databaseUrl, max: 2 }) : null;
  const db = new KyselyDb<never>({
    dialect: pool ? new PostgresDialect({ pool }) : new SqliteDialect({ database: new SQLite(file) }),
  });
  await migrateToLatest(db, databaseUrl ? postgresMigrations : sqliteMigrations);
  const started = performance.now();
  let built = 0;
  for (let n = 1; n > 0; built += n) n = await new EventColumns(db).buildDue(Date.now(), 50);
  log(`event columns: built ${built} day × kind(s) in ${fmt((performance.now() - started) / 1000, 1)} s`);
  // The same for the month rollups (ADR 37), a month at a time in the servers.
  const { MonthRollups } = (await import(path.join(repoRoot, "dist/store/sql/month-rollups.js"))) as {
    MonthRollups: new (db: Kysely<never>) => { buildDue(now: number, maxMonths: number): Promise<number> };
  };
  const monthsStarted = performance.now();
  let months = 0;
  for (let n = 1; n > 0; months += n) n = await new MonthRollups(db).buildDue(Date.now(), 50);
  log(`month rollups: built ${months} month(s) in ${fmt((performance.now() - monthsStarted) / 1000, 1)} s`);
  await db.destroy();
}

const port = await freePort();
const server = spawnServer({
  name: "clicktrail",
  port,
  args: [...serveNodeFlags(), "dist/main.js"],
  env: {
    ...serverEnv,
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    RATE_LIMIT_PER_MINUTE: "1000000",
  },
});
const timings: Timing[] = [];

/**
 * Four tags over every third link and three folders over every fourth, once per data set (the seeder makes none):
 * without them the top_link_tags and top_folders cells measure an empty answer. Returns how many links it changed.
 */
async function groupSomeLinks(): Promise<number> {
  const call = (method: "GET" | "POST" | "PATCH", route: string, body?: unknown): Promise<unknown> =>
    api(server, apiKey, method, route, body);
  if (((await call("GET", "/tags")) as unknown[]).length > 0) return 0;
  const tags: string[] = [];
  for (const name of ["spring", "summer", "autumn", "winter"])
    tags.push(((await call("POST", "/tags", { name })) as { id: string }).id);
  const folders: string[] = [];
  for (const name of ["north", "south", "east"])
    folders.push(((await call("POST", "/folders", { name })) as { id: string }).id);
  // Every id first: a page read after some links moved into folders could skip some.
  const ids: string[] = [];
  for (let page = 1; ; page++) {
    const links = (await call("GET", `/links?page=${page}&pageSize=100&sortBy=createdAt&sortOrder=asc`)) as {
      id: string;
    }[];
    if (links.length === 0) break;
    ids.push(...links.map((link) => link.id));
  }
  let changed = 0;
  for (const [i, id] of ids.entries()) {
    const change = {
      ...(i % 3 === 0 ? { tagIds: [tags[(i / 3) % tags.length]] } : {}),
      ...(i % 4 === 0 ? { folderId: folders[(i / 4) % folders.length] } : {}),
    };
    if (Object.keys(change).length === 0) continue;
    await call("PATCH", `/links/${id}`, change);
    changed++;
  }
  return changed;
}

try {
  await waitForHttp(server, "/healthz", { timeoutMs: 60_000 });
  const grouped = await groupSomeLinks();
  if (grouped > 0) log(`tags and folders: given to ${fmt(grouped)} links (once, kept with the data)`);

  async function time(name: string, params: Record<string, string>, count = runs): Promise<Timing> {
    const query = new URLSearchParams({ event: "composite", ...params }).toString();
    const url = `${server.baseUrl}/api/analytics?${query}`;
    const samples: number[] = [];
    let items = 0;
    let status = 0;
    for (let i = 0; i <= count; i++) {
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
      p99: percentile(samples, 0.99),
      min: Math.min(...samples),
      max: Math.max(...samples),
      items,
      status,
    };
    timings.push(timing);
    return timing;
  }

  let maxRss = rssOf(server.child.pid);
  const sampleRss = () => {
    maxRss = Math.max(maxRss, rssOf(server.child.pid));
  };
  log(`server RSS at start: ${fmt(maxRss / 1024 ** 2)} MB`);
  if (!matrixOnly) {
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
      [
        "countries, linkId = top link, 1y",
        { groupBy: "countries", interval: "1y", linkId: seeded.topLinkId },
      ],
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
    sampleRss();
  }

  // Every groupBy the API takes × every filter it takes (and two dimensions at once), over a year.
  const customerId = await firstCustomerId();
  const filters: [string, Record<string, string>][] = [
    ["none", {}],
    ["linkId", { linkId: seeded.topLinkId }],
    ["domain", { domain: "go.acme.com" }],
    ["tenantId", { tenantId: "tenant_3" }],
    ["customerId", { customerId }],
    ["country", { country: seeded.topCountry }],
    ["city", { city: seeded.topCity }],
    ["region", { region: "US-R0" }],
    ["continent", { continent: "EU" }],
    ["device", { device: "Mobile" }],
    ["browser", { browser: "Chrome" }],
    ["os", { os: "iOS" }],
    ["trigger", { trigger: "qr" }],
    ["qr", { qr: "true" }],
    ["referer", { referer: "google.com" }],
    ["refererUrl", { refererUrl: "https://google.com/2" }],
    ["url", { url: "https://shop.acme.com/p/0" }],
    ["utm_source", { utm_source: "facebook" }],
    ["utm_medium", { utm_medium: "email" }],
    ["utm_campaign", { utm_campaign: "launch_2026" }],
    ["utm_term", { utm_term: "shoes" }],
    ["utm_content", { utm_content: "variant_2" }],
    ["query (metadata)", { query: "metadata['plan']:'pro'" }],
    ["country+device", { country: seeded.topCountry, device: "Mobile" }],
    ["city+browser", { city: seeded.topCity, browser: "Chrome" }],
    ["country!=,device", { country: `-${seeded.topCountry}`, device: "Desktop" }],
  ];
  log(
    `\nevery groupBy × filter, interval=1y, event=composite: p50 / p99 of ${matrixRuns} runs (ms), after one warm-up run`,
  );
  const matrix: { groupBy: string; filter: string; p50: number; p99: number }[] = [];
  const width = 11;
  const filterNames = filters.map(([name]) => name);
  for (const groupBy of API_GROUP_BYS) {
    const cells: string[] = [];
    for (const [name, params] of filters) {
      const t = await time(`${groupBy} × ${name}`, { groupBy, interval: "1y", ...params }, matrixRuns);
      matrix.push({ groupBy, filter: name, p50: t.p50, p99: t.p99 });
      cells.push(`${fmt(t.p50)}/${fmt(t.p99)}`.padStart(width));
      sampleRss();
    }
    log(`${groupBy.padEnd(14)}${cells.join("")}`);
  }
  log(
    `${"(filters)".padEnd(14)}${filterNames.map((name) => name.slice(0, width - 1).padStart(width)).join("")}`,
  );
  log("\nper filter, over every groupBy: p50 median, p50 max, p99 max (ms)");
  for (const name of filterNames) {
    const row = matrix.filter((cell) => cell.filter === name);
    log(
      `${name.padEnd(20)}${fmt(median(row.map((c) => c.p50)), 1).padStart(9)}` +
        `${fmt(Math.max(...row.map((c) => c.p50)), 1).padStart(9)}${fmt(Math.max(...row.map((c) => c.p99)), 1).padStart(9)}`,
    );
  }
  const slowest = matrix.reduce((a, b) => (b.p50 > a.p50 ? b : a));
  const over = matrix.filter((cell) => cell.p50 > 150);
  log(
    `\n${matrix.length} cells; slowest p50: ${slowest.groupBy} × ${slowest.filter} at ${fmt(slowest.p50, 1)} ms; ` +
      `${over.length} over 150 ms${over.length > 0 ? ` (${over.map((c) => `${c.groupBy}×${c.filter}`).join(", ")})` : ""}`,
  );
  log(
    `server RSS: ${fmt(rssOf(server.child.pid) / 1024 ** 2)} MB now, ${fmt(maxRss / 1024 ** 2)} MB at most`,
  );
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
        maxRssBytes: maxRss,
      })}\n`,
    );
  }
} catch (err) {
  printOutputTails([server]);
  throw err;
} finally {
  await server.stop();
}
