// The Redis adapters against a real Redis server, with two instances standing for two server processes.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Redis } from "ioredis";
import pino from "pino";
import { startRedis } from "../../scripts/test-services.mjs";
import { loadConfig } from "../../src/config.js";
import { MemoryLinkCache } from "../../src/domain/links/memory-link-cache.js";
import type { Link } from "../../src/domain/links/model.js";
import { createRedisClients, type RedisClients, type RedisOperation } from "../../src/infra/redis.js";
import { INVALIDATION_CHANNEL, RedisLinkCacheBus } from "../../src/infra/redis-link-cache-bus.js";
import { RedisRateLimiter } from "../../src/infra/redis-rate-limiter.js";
import { type RunningServer, startServer } from "../../src/server.js";

type RedisServer = { url?: string; missing?: string; stop?: () => void };

const silent = pino({ level: "silent" });
const missing =
  spawnSync("redis-server", ["--version"]).status === 0 ? false : "redis-server is not installed";
const link = (url: string) => ({ id: "link_test", url }) as Link;

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One "process": its own connections and the errors they reported. */
function connect(url: string) {
  const errors: RedisOperation[] = [];
  const clients = createRedisClients(url, silent, (operation) => errors.push(operation));
  return { clients, errors };
}

describe("RedisRateLimiter", { skip: missing }, () => {
  let redis: RedisServer;
  const processes: { clients: RedisClients; errors: RedisOperation[] }[] = [];

  before(async () => {
    redis = await startRedis();
    for (let i = 0; i < 2; i++) processes.push(connect(redis.url ?? ""));
    await Promise.all(processes.map(({ clients }) => clients.connect()));
  });
  after(() => {
    for (const { clients } of processes) clients.close();
    redis.stop?.();
  });

  test("two processes share one budget per key, and keep limiting in memory when Redis stops", async () => {
    const fallbacks = [0, 0];
    const [a, b] = processes.map(
      ({ clients }, i) => new RedisRateLimiter(5, clients.commands, () => fallbacks[i]++),
    );

    const first = await a.consume("key_shared");
    assert.deepEqual([first.allowed, first.limit, first.remaining], [true, 5, 4]);
    assert.ok(first.resetAt > Date.now() + 55_000 && first.resetAt <= Date.now() + 60_000);
    await a.consume("key_shared");
    await a.consume("key_shared");
    assert.equal((await b.consume("key_shared")).remaining, 1);
    assert.equal((await b.consume("key_shared")).remaining, 0);
    const refused = await b.consume("key_shared");
    assert.deepEqual([refused.allowed, refused.remaining], [false, 0]);
    assert.equal((await a.consume("key_shared")).allowed, false, "the other process sees the same count");
    assert.equal((await a.consume("key_other")).allowed, true, "each key has its own budget");
    assert.deepEqual(fallbacks, [0, 0]);

    redis.stop?.();
    await waitFor("the clients to notice", () =>
      processes.every(({ clients }) => clients.commands.status !== "ready"),
    );
    const during = [];
    for (let i = 0; i < 7; i++) during.push(await a.consume("key_outage"));
    assert.deepEqual(
      during.map((result) => result.allowed),
      [true, true, true, true, true, false, false],
      "the in-memory window of the same size takes over",
    );
    assert.equal(during[0].remaining, 4);
    assert.equal(fallbacks[0], 7);
    assert.equal((await b.consume("key_outage")).allowed, true, "each process limits on its own meanwhile");
    await waitFor("connection errors to be reported", () => processes[0].errors.includes("connection"));
  });
});

describe("RedisLinkCacheBus", { skip: missing }, () => {
  let redis: RedisServer;
  const processes: { clients: RedisClients; errors: RedisOperation[]; cache: RedisLinkCacheBus }[] = [];

  before(async () => {
    redis = await startRedis();
    for (let i = 0; i < 2; i++) {
      const { clients, errors } = connect(redis.url ?? "");
      const cache = new RedisLinkCacheBus(
        new MemoryLinkCache(),
        clients.commands,
        clients.subscriber,
        (operation) => errors.push(operation),
      );
      processes.push({ clients, errors, cache });
    }
    await Promise.all(processes.map(({ clients }) => clients.connect()));
    // Listening once an invalidation sent by one reaches the other (each clears its cache on subscribing).
    await waitFor("both subscriptions", async () => {
      processes[1].cache.set("go.example", "probe", null);
      await processes[0].cache.invalidate("go.example", "probe");
      await new Promise((resolve) => setTimeout(resolve, 10));
      return processes[1].cache.get("go.example", "probe") === undefined;
    });
  });
  after(() => {
    for (const { clients } of processes) clients.close();
    redis.stop?.();
  });

  test("an invalidation resolves once the other process has cleared the key, under every host", async () => {
    const [a, b] = processes.map(({ cache }) => cache);
    b.set("go.example", "promo", link("https://old.example"));
    b.set("other.example", "promo", link("https://old.example"));
    b.set("go.example", "kept", link("https://kept.example"));
    a.set("go.example", "promo", link("https://old.example"));

    await a.invalidate("go.example", "promo");
    assert.equal(a.get("go.example", "promo"), undefined);
    assert.equal(b.get("go.example", "promo"), undefined, "acknowledged by the other process");
    assert.equal(b.get("other.example", "promo"), undefined);
    assert.equal(b.get("go.example", "kept")?.url, "https://kept.example");
  });

  test("a subscriber that never acknowledges delays an invalidation by half a second, no more", async () => {
    const [a] = processes;
    const silentListener = new Redis(redis.url ?? "");
    await silentListener.subscribe(INVALIDATION_CHANNEL);
    try {
      const started = Date.now();
      await a.cache.invalidate("go.example", "slow");
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 450 && elapsed < 1_500, `took ${elapsed} ms`);
      assert.ok(a.errors.includes("acknowledge"));
    } finally {
      silentListener.disconnect();
    }
  });

  test("a resubscribed process forgets its whole cache, since it may have missed invalidations", async () => {
    const [, b] = processes;
    b.cache.set("go.example", "stale", link("https://stale.example"));
    b.cache.set("go.example", "null", null);
    await processes[0].clients.commands.client("KILL", "TYPE", "pubsub");
    await waitFor("the cache to be cleared", () => b.cache.get("go.example", "stale") === undefined);
    assert.equal(b.cache.get("go.example", "null"), undefined);

    b.cache.set("go.example", "after", link("https://old.example"));
    await waitFor("the resubscription", async () => {
      await processes[0].cache.invalidate("go.example", "after");
      return b.cache.get("go.example", "after") === undefined;
    });
  });

  test("with Redis down an invalidation still clears locally, never fails, and reports the error", async () => {
    const [a] = processes;
    redis.stop?.();
    await waitFor("the client to notice", () => a.clients.commands.status !== "ready");
    a.cache.set("go.example", "down", link("https://old.example"));
    await a.cache.invalidate("go.example", "down");
    assert.equal(a.cache.get("go.example", "down"), undefined);
    assert.ok(a.errors.includes("publish"));
  });
});

describe("two server processes on one database and one Redis", { skip: missing }, () => {
  let redis: RedisServer;
  let dataDir: string;
  let key: string;
  const servers: RunningServer[] = [];

  before(async () => {
    redis = await startRedis();
    dataDir = mkdtempSync(join(tmpdir(), "clicktrail-redis-"));
    for (let i = 0; i < 2; i++) {
      const config = loadConfig({
        DATA_DIR: dataDir,
        REDIS_URL: redis.url,
        HOST: "127.0.0.1",
        PORT: "0",
        SHORT_DOMAIN: "short.test",
        LOG_LEVEL: "silent",
      });
      servers.push(await startServer(config, { logger: silent }));
    }
    key = servers[0].created?.key ?? "";
  });
  after(async () => {
    for (const server of servers) await server.stop();
    redis.stop?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const api = (origin: string, method: string, path: string, body: unknown) =>
    fetch(`${origin}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const destination = async (origin: string, path: string) =>
    (await fetch(`${origin}${path}`, { redirect: "manual" })).headers.get("location") ?? "";

  test("a link edited through one process redirects to its new URL from the other at once", async () => {
    const [a, b] = servers.map((server) => server.origin);
    const created = await api(a, "POST", "/links", { url: "https://old.example/", key: "moved" });
    assert.equal(created.status, 200);
    const { id } = (await created.json()) as { id: string };
    await waitFor("both subscriptions", async () => (await subscribers(redis.url ?? "")) === 2);

    for (let round = 0; round < 20; round++) {
      assert.match(
        await destination(b, "/moved"),
        /^https:\/\/old\.example\//,
        "cached by the other process",
      );
      const url = `https://new.example/${round}`;
      assert.equal((await api(a, "PATCH", `/links/${id}`, { url })).status, 200);
      assert.ok((await destination(b, "/moved")).startsWith(url), `round ${round}`);
      assert.equal((await api(a, "PATCH", `/links/${id}`, { url: "https://old.example/" })).status, 200);
    }
  });

  test("a key's rate limit is shared by both processes", async () => {
    const remaining = async (origin: string) =>
      Number(
        (await fetch(`${origin}/api/links`, { headers: { authorization: `Bearer ${key}` } })).headers.get(
          "x-ratelimit-remaining",
        ),
      );
    const first = await remaining(servers[0].origin);
    assert.equal(await remaining(servers[1].origin), first - 1);
    assert.equal(await remaining(servers[0].origin), first - 2);
  });
});

async function subscribers(url: string): Promise<number> {
  const probe = new Redis(url);
  try {
    const [, count] = (await probe.pubsub("NUMSUB", INVALIDATION_CHANNEL)) as [string, number];
    return count;
  } finally {
    probe.disconnect();
  }
}
