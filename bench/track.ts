// Track ingest: POST /track/lead and /track/sale (each request a new customer) against a bare fastify route that
// validates the same body with zod and answers 200 (see bench/README.md).
// Usage: npx tsx bench/track.ts [--json] [--database-url postgres://…]   env: BENCH_SECONDS (10), BENCH_CONNECTIONS (50)
// With --database-url the server runs on PostgreSQL, in a database of its own that the bench creates and drops.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import pg from "pg";
import {
  api,
  createApiKey,
  ensureBuilt,
  loadOptions,
  machineLine,
  migrateDatabase,
  startClicktrail,
} from "./lib/clicktrail.js";
import { BROWSER_UA } from "./lib/load.js";
import {
  freePort,
  httpRequest,
  onExit,
  printOutputTails,
  type ServerProcess,
  spawnServer,
} from "./lib/server.js";
import { rssMb, runWrk, table, type WrkResult } from "./lib/wrk.js";

const { seconds, connections, asJson, log } = loadOptions();

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "clicktrail-bench-track-"));
const removeDataDir = () => fs.rmSync(dataDir, { recursive: true, force: true });
onExit(removeDataDir);
const servers: ServerProcess[] = [];

const serverUrl = (() => {
  const at = process.argv.indexOf("--database-url");
  return at === -1 ? undefined : process.argv[at + 1];
})();
if (serverUrl !== undefined && !serverUrl.startsWith("postgres"))
  throw new Error(`--database-url takes a postgres:// URL, got "${serverUrl ?? ""}"`);

/** A new database on the server `serverUrl` names, for this run only; its URL, and how to drop it. */
async function freshDatabase(url: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `clicktrail_bench_track_${process.pid}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const own = new URL(url);
  own.pathname = `/${name}`;
  return { url: own.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}

const count = {
  leads: "select count(*) as n from lead_events where event_name = 'Sign up'",
  sales: "select count(*) as n from sale_events",
};

/** What the database holds: one customer per acknowledged lead, one sale event per acknowledged sale. */
async function committed(databaseUrl: string | undefined): Promise<{ leads: number; sales: number }> {
  if (databaseUrl) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const n = async (sql: string) => Number((await client.query(sql)).rows[0].n);
      return { leads: await n(count.leads), sales: await n(count.sales) };
    } finally {
      await client.end();
    }
  }
  const db = new SQLite(path.join(dataDir, "clicktrail.sqlite"), { readonly: true });
  try {
    const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    return { leads: n(count.leads), sales: n(count.sales) };
  } finally {
    db.close();
  }
}

const ok = (r: WrkResult) => r.totalRequests - r.badStatus;

const database = serverUrl ? await freshDatabase(serverUrl) : undefined;
// The CLI that creates the key and the server both read it.
if (database) process.env.DATABASE_URL = database.url;

try {
  log(machineLine());
  log(
    `load: wrk, ${connections} connections, ${seconds} s per scenario, every request a new customer, on ${database ? "PostgreSQL" : "SQLite"}`,
  );
  ensureBuilt(log, asJson);
  if (database) migrateDatabase(dataDir);
  const apiKey = createApiKey(dataDir);
  const server = await startClicktrail(dataDir, await freePort());
  servers.push(server);
  const pid = server.child.pid as number;
  const link = (await api(server, apiKey, "POST", "/links", {
    url: "https://example.com/pricing",
    key: "pricing",
    trackConversion: true,
  })) as { domain: string };
  const visit = await httpRequest(`${server.baseUrl}/pricing`, {
    headers: { host: link.domain, "user-agent": BROWSER_UA, "x-forwarded-for": "10.1.2.3" },
  });
  const clickId = new URL(String(visit.headers.location)).searchParams.get("dub_id");
  if (!clickId) throw new Error(`the tracked link gave no dub_id (HTTP ${visit.status})`);

  const basePort = await freePort();
  const baseline = spawnServer({
    name: "baseline",
    port: basePort,
    args: ["--import", "tsx", "bench/lib/track-baseline-server.ts"],
    env: { PORT: String(basePort) },
  });
  servers.push(baseline);
  const probe = { clickId, eventName: "probe", customerExternalId: "probe" };
  for (let attempt = 0; ; attempt++) {
    const res = await httpRequest(`${baseline.baseUrl}/api/track/lead`, {
      method: "POST",
      body: probe,
    }).catch(() => null);
    if (res?.status === 200) break;
    if (attempt > 150)
      throw new Error(`baseline not ready: ${res?.status ?? "no answer"} ${baseline.outputTail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const idleRss = rssMb(pid);

  const headers = { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json" };
  const bodies = {
    lead: `'{"clickId":"${clickId}","eventName":"Sign up","customerExternalId":"lead-' .. n .. '","customerName":"Bench ' .. n .. '"}'`,
    sale: `'{"clickId":"${clickId}","customerExternalId":"sale-' .. n .. '","amount":1999,"currency":"usd","eventName":"Purchase","paymentProcessor":"stripe"}'`,
  };
  const load = (base: string, kind: "lead" | "sale", rssOf: number | undefined) =>
    runWrk({
      url: `${base}/api/track/${kind}`,
      method: "POST",
      seconds,
      connections,
      headers,
      bodyLua: bodies[kind],
      rssOf,
    });

  const rows: Parameters<typeof table>[0] = [];
  const results: Record<string, { baseline: WrkResult; clicktrail: WrkResult }> = {};
  for (const kind of ["lead", "sale"] as const) {
    log(`${kind}: baseline (${seconds} s), then clicktrail (${seconds} s)...`);
    const b = await load(baseline.baseUrl, kind, baseline.child.pid);
    const c = await load(server.baseUrl, kind, pid);
    results[kind] = { baseline: b, clicktrail: c };
    rows.push({ name: `baseline (fastify + zod) /track/${kind}`, result: b });
    rows.push({ name: `clicktrail /track/${kind}`, result: c, ratioTo: b, idleRssMb: idleRss });
  }
  await server.stop();
  const stored = await committed(database?.url);
  await baseline.stop();

  log();
  log(table(rows));
  log();
  log(`${machineLine()} (after the run)`);
  const leadsOk = ok(results.lead.clicktrail);
  const salesOk = ok(results.sale.clicktrail);
  // wrk counts only the responses it read; a request in flight when it stopped may still be committed.
  const match = (acked: number, rows: number) => rows >= acked && rows <= acked + 2 * connections;
  log(
    `leads acknowledged ${leadsOk}, stored ${stored.leads}; sales acknowledged ${salesOk}, stored ${stored.sales}` +
      (match(leadsOk, stored.leads) && match(salesOk, stored.sales) ? "" : "  WARNING: mismatch"),
  );
  for (const [kind, r] of Object.entries(results))
    if (r.clicktrail.badStatus > 0 || r.clicktrail.socketErrors > 0)
      log(
        `ERRORS ${kind}: ${r.clicktrail.badStatus} status >= 400, ${r.clicktrail.socketErrors} socket errors`,
      );
  if (asJson)
    process.stdout.write(
      `${JSON.stringify({ loadavg: os.loadavg(), connections, seconds, results, stored, idleRssMb: idleRss })}\n`,
    );
} catch (err) {
  printOutputTails(servers);
  throw err;
} finally {
  for (const s of servers) await s.stop();
  removeDataDir();
  await database?.drop();
}
