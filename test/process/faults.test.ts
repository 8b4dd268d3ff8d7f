// Faults under load, with real processes: the compiled server (dist/main.js), a real SQLite file, a PostgreSQL and a
// Redis of this file's own (the shared test PostgreSQL is never killed). A load of visitor journeys (click on a
// tracked link → lead → sale with an invoiceId) runs while the server, PostgreSQL or Redis is SIGKILLed; afterwards
// every acknowledged click, lead and sale must be in the database exactly once.
// Each phase runs CLICKTRAIL_FAULT_SECONDS (default 4) of load; set it higher for a longer soak.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import SQLite from "better-sqlite3";
import pg from "pg";
import {
  startPostgres,
  startRedis,
  type TestPostgres,
  type TestService,
} from "../../scripts/test-services.mjs";
import { isDatabaseUnavailable } from "../../src/store/unavailable.js";
import { apiJson } from "../helpers/journey.js";
import { findLossesAndDuplicates, MixedLoad } from "../helpers/mixed-load.js";
import {
  cleanUp,
  cliJson,
  ensureBuilt,
  install,
  type ServerProcess,
  startMain,
  tempDir,
  until,
} from "../helpers/processes.js";
import { rejection } from "../helpers/rejection.js";
import { BROWSER_UA } from "../helpers/server.js";

const PHASE_MS = Number(process.env.CLICKTRAIL_FAULT_SECONDS ?? 4) * 1000;
const LINK_KEY = "fault";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cleanups: (() => void | Promise<void>)[] = [];

before(ensureBuilt);

after(async () => {
  cleanUp();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A server under load: visitors' addresses come from X-Forwarded-For, and no rate limit gets in the way. */
const startServer = (env: Record<string, string>, port?: number) =>
  startMain({ TRUST_PROXY: "true", RATE_LIMIT_PER_MINUTE: "1000000", LOG_LEVEL: "warn", ...env }, { port });

/** The server's JSON log lines. */
function logLines(server: ServerProcess): Record<string, unknown>[] {
  return server
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line));
}

const createTrackedLink = (origin: string, key: string) =>
  apiJson(origin, key, "POST", "/links", {
    url: "https://shop.example/pricing",
    key: LINK_KEY,
    trackConversion: true,
  });

async function readyz(server: ServerProcess): Promise<{ status: number; body: Record<string, string> }> {
  if (!server.running()) throw new Error(`the server died:\n${server.output()}`);
  const response = await fetch(`${server.origin}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

/** What a phase did, in the test output: acknowledged events and the answers by status. */
function summary(load: MixedLoad): string {
  const statuses = new Map<number, number>();
  for (const answer of load.answers) statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
  const { clicks, leads, sales } = load.acknowledged;
  const answers = [...statuses].map(([status, n]) => `${status || "no answer"}: ${n}`).join(", ");
  return `acknowledged ${clicks.size} clicks, ${leads.size} leads, ${sales.size} sales; answers ${answers}`;
}

/** Statuses the load saw other than success, a refused connection or a 503 with Retry-After. */
function unexpectedAnswers(load: MixedLoad): string[] {
  return load.answers
    .filter((a) => ![0, 200, 302].includes(a.status) && !(a.status === 503 && a.retryAfter))
    .map((a) => `${a.step} ${a.status}${a.status === 503 ? " without Retry-After" : ""}`);
}

/** Runs the load, with `fault` in the middle of it; returns the load once every journey has settled. */
async function underLoad(
  options: { origin: () => string; key: string; prefix: string },
  fault: (load: MixedLoad) => Promise<void>,
): Promise<MixedLoad> {
  const load = new MixedLoad({ ...options, linkKey: LINK_KEY, workers: 8 });
  load.start();
  try {
    await sleep(PHASE_MS / 2);
    // A loaded machine may not have finished a whole journey yet: the fault must strike after some did.
    for (const deadline = Date.now() + 60_000; load.acknowledged.sales.size === 0 && Date.now() < deadline; )
      await sleep(100);
    await fault(load);
    await sleep(PHASE_MS / 2);
  } finally {
    await load.stop();
  }
  return load;
}

/** SIGKILLs the server mid-load and starts it again on the same port and data. */
function crashAndRestart(server: { current: ServerProcess }, env: Record<string, string>) {
  return async (load: MixedLoad) => {
    const before = load.acknowledged.sales.size;
    const { port } = server.current;
    await server.current.kill();
    await sleep(300);
    server.current = await startServer(env, port);
    assert.ok(before > 0, "sales were acknowledged before the crash");
  };
}

describe("SIGKILL of the server under load, on SQLite", () => {
  const server = {} as { current: ServerProcess };
  let env: Record<string, string>;
  let key: string;
  let dir: string;

  before(async () => {
    dir = tempDir();
    env = { DATA_DIR: dir };
    key = await install(env);
    server.current = await startServer(env);
    await createTrackedLink(server.current.origin, key);
  });

  after(async () => {
    if (server.current?.running()) await server.current.kill();
  });

  test("every acknowledged click, lead and sale is stored exactly once after the restart", async (t) => {
    const load = await underLoad(
      { origin: () => server.current.origin, key, prefix: "sqlite-crash" },
      crashAndRestart(server, env),
    );
    t.diagnostic(summary(load));
    assert.ok(load.count(0) > 0, "some requests met the dead server");
    assert.deepEqual(unexpectedAnswers(load), []);
    const db = new SQLite(join(dir, "clicktrail.sqlite"), { readonly: true });
    try {
      const query = async (text: string, ...params: unknown[]) =>
        db.prepare(text).all(...params) as Record<string, unknown>[];
      assert.deepEqual(await findLossesAndDuplicates(query, load.acknowledged), []);
    } finally {
      db.close();
    }
  });
});

let postgres: TestPostgres;
let redis: TestService;
const missing = await (async () => {
  postgres = await startPostgres({ durable: true });
  if (postgres.missing) return postgres.missing;
  cleanups.push(() => {
    try {
      postgres.stop?.();
    } catch {
      // Killed by a failed test and not started again: only its directory was left to remove.
    }
  });
  redis = await startRedis();
  if (redis.missing) return redis.missing;
  cleanups.push(() => redis.stop?.());
  return false;
})();

describe("faults on PostgreSQL and Redis, under load", { skip: missing }, () => {
  const server = {} as { current: ServerProcess };
  const acknowledgedBy: MixedLoad[] = [];
  let env: Record<string, string>;
  let key: string;
  let reader: pg.Pool;

  const query = async (text: string, ...params: unknown[]) => {
    let index = 0;
    return (
      await reader.query(
        text.replace(/\?/g, () => `$${++index}`),
        params,
      )
    ).rows;
  };

  before(async () => {
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    await admin.query("CREATE DATABASE clicktrail_faults");
    await admin.end();
    const url = new URL(postgres.url as string);
    url.pathname = "/clicktrail_faults";
    env = { DATABASE_URL: url.toString(), REDIS_URL: redis.url as string };
    await cliJson(["migrate"], env);
    key = (await cliJson<{ key: string }>(["keys", "create"], env)).key;
    server.current = await startServer(env);
    await createTrackedLink(server.current.origin, key);
    reader = new pg.Pool({ connectionString: url.toString(), max: 1 });
    reader.on("error", () => {});
  });

  after(async () => {
    if (server.current?.running()) await server.current.kill();
    await reader?.end();
  });

  test("SIGKILL of the server: every acknowledged event is stored exactly once after the restart", async (t) => {
    const load = await underLoad(
      { origin: () => server.current.origin, key, prefix: "pg-crash" },
      crashAndRestart(server, env),
    );
    acknowledgedBy.push(load);
    t.diagnostic(summary(load));
    assert.ok(load.count(0) > 0, "some requests met the dead server");
    assert.deepEqual(unexpectedAnswers(load), []);
    assert.deepEqual(await findLossesAndDuplicates(query, load.acknowledged), []);
  });

  test("SIGKILL of PostgreSQL: 503 with Retry-After meanwhile, then recovery by itself, nothing lost", async (t) => {
    const load = await underLoad(
      { origin: () => server.current.origin, key, prefix: "pg-down" },
      async (load) => {
        await postgres.kill?.();
        const down = await until(async () => {
          const ready = await readyz(server.current);
          return ready.status === 503 ? ready : undefined;
        }, "/readyz to turn 503");
        assert.equal(down.body.database, "unavailable");

        const api = await fetch(`${server.current.origin}/api/links`, {
          headers: { authorization: `Bearer ${key}` },
        });
        const refused = await rejection(api, 503, {
          code: "internal_server_error",
          message: /database is unavailable/i,
        });
        assert.match(refused.headers.get("retry-after") ?? "", /^\d+$/);

        const redirect = await fetch(`${server.current.origin}/never-visited`, {
          redirect: "manual",
          headers: { "user-agent": BROWSER_UA },
        });
        assert.equal(redirect.status, 503, "a link that is not cached cannot be looked up");
        assert.match(redirect.headers.get("retry-after") ?? "", /^\d+$/);
        await redirect.arrayBuffer();

        const refusedBefore = load.count(503);
        await until(() => load.count(503) > refusedBefore + 10, "the load to be answered 503");
        await sleep(PHASE_MS / 2);
        assert.ok(server.current.running(), "the server survived the outage");

        postgres.start?.();
        await until(async () => (await readyz(server.current)).status === 200, "/readyz to recover", 30_000);
      },
    );
    acknowledgedBy.push(load);
    t.diagnostic(summary(load));
    assert.ok(server.current.running(), `the server is still up: ${server.current.output()}`);
    assert.doesNotMatch(server.current.output(), /Unhandled 'error' event/);
    const outage = logLines(server.current).find((line) => /database is unavailable/.test(String(line.msg)));
    assert.ok(
      isDatabaseUnavailable(outage?.err),
      `the log names the outage's cause: ${JSON.stringify(outage)}`,
    );
    assert.ok(load.count(503) > 0);
    assert.deepEqual(unexpectedAnswers(load), []);
    assert.ok(load.acknowledged.sales.size > 0);
    assert.deepEqual(await findLossesAndDuplicates(query, load.acknowledged), []);
  });

  test("SIGKILL of Redis: the server keeps serving, ready though degraded, nothing lost", async (t) => {
    const load = await underLoad(
      { origin: () => server.current.origin, key, prefix: "redis-down" },
      async () => {
        redis.stop?.();
        const degraded = await until(async () => {
          const ready = await readyz(server.current);
          return ready.body.redis === "unavailable" ? ready : undefined;
        }, "/readyz to report Redis unavailable");
        assert.deepEqual(degraded, {
          status: 200,
          body: { status: "degraded", database: "ok", redis: "unavailable" },
        });
      },
    );
    acknowledgedBy.push(load);
    t.diagnostic(summary(load));
    assert.ok(server.current.running());
    const failures = load.answers.filter((a) => a.status !== 200 && a.status !== 302);
    assert.deepEqual(failures, [], "every request succeeded without Redis");
    const all = {
      clicks: new Set(acknowledgedBy.flatMap((each) => [...each.acknowledged.clicks])),
      leads: new Set(acknowledgedBy.flatMap((each) => [...each.acknowledged.leads])),
      sales: new Set(acknowledgedBy.flatMap((each) => [...each.acknowledged.sales])),
    };
    assert.deepEqual(await findLossesAndDuplicates(query, all), [], "nor in the earlier phases");
  });
});
