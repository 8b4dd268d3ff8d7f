import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { startRedis } from "../../scripts/test-services.mjs";
import { rejection } from "../helpers/rejection.js";
import { requestWithHost, startServer, type TestServer, visit } from "../helpers/server.js";

type RedisServer = { url?: string; missing?: string; stop?: () => void };

const redisMissing =
  spawnSync("redis-server", ["--version"]).status === 0 ? false : "redis-server is not installed";

const json = async (server: TestServer, path: string) => {
  const response = await fetch(`${server.origin}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

async function waitFor<T>(
  what: string,
  attempt: () => Promise<T | undefined>,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await attempt();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("health, readiness and metrics", () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.stop());

  test("/healthz is alive and /readyz ready when the database takes a write (and Redis, if configured, answers)", async () => {
    assert.deepEqual(await json(server, "/healthz"), { status: 200, body: { status: "ok" } });
    const ready = await json(server, "/readyz");
    assert.deepEqual(ready, {
      status: 200,
      body: {
        status: "ready",
        database: "ok",
        redis: server.store === "postgres" ? "ok" : "not configured",
      },
    });
    const probe = await server.one<{ value: string }>(
      "SELECT value FROM settings WHERE name = 'readiness_probe'",
    );
    assert.ok(probe && !Number.isNaN(Date.parse(probe.value)), "readiness committed its probe row");
  });

  test("/metrics counts requests by method, route pattern and status, and times them", async () => {
    const sdk = server.sdk();
    const link = await sdk.links.create({ url: "https://example.com/metrics", key: "metered" });
    const auth = { authorization: `Bearer ${server.key}` };
    assert.equal((await fetch(`${server.origin}/api/links/${link.id}`, { headers: auth })).status, 200);
    await visit(server, "/metered");
    await visit(server, "/metered");
    await visit(server, "/no-such-key");
    await fetch(`${server.origin}/api/no/such/route`);
    await fetch(`${server.origin}/api/links`, { method: "DELETE" });

    const text = await (await fetch(`${server.origin}/metrics`)).text();
    const sample = (name: string, labels: string) => {
      const line = text.split("\n").find((each) => each.startsWith(`${name}{${labels}}`));
      return line === undefined ? undefined : Number(line.split(" ").at(-1));
    };
    const requests = (labels: string) => sample("clicktrail_http_requests_total", labels);
    assert.equal(requests('method="POST",route="/api/links",status="200"'), 1);
    assert.equal(requests('method="GET",route="/api/links/:linkId",status="200"'), 1);
    assert.equal(requests('method="GET",route="redirect",status="302"'), 2, "keys share one label");
    assert.equal(requests('method="GET",route="redirect",status="404"'), 1);
    assert.equal(requests('method="GET",route="unmatched",status="404"'), 1);
    assert.equal(requests('method="DELETE",route="unmatched",status="404"'), 1);
    assert.doesNotMatch(text, /metered|no-such-key|no\/such\/route/, "no path reaches a label");
    assert.equal(
      sample("clicktrail_http_request_duration_seconds_count", 'method="GET",route="redirect"'),
      3,
    );
    assert.equal(
      sample("clicktrail_http_request_duration_seconds_bucket", 'le="+Inf",method="GET",route="redirect"'),
      3,
    );
    assert.match(
      text,
      /^clicktrail_clicks_recorded_total 1$/m,
      "the existing counters stay (the second visit is a duplicate)",
    );
    const pool = /^clicktrail_db_pool_connections \d+$/m.test(text);
    assert.equal(pool, server.store === "postgres", "pool gauges exist only for a pooled database");
    if (pool) {
      assert.match(text, /^clicktrail_db_pool_idle_connections \d+$/m);
      assert.match(text, /^clicktrail_db_pool_waiting_clients \d+$/m);
    }
    const unlabelled = (name: string) => {
      const value = new RegExp(`^${name} (\\d+)$`, "m").exec(text)?.[1];
      return value === undefined ? undefined : Number(value);
    };
    const transactions = unlabelled("clicktrail_sqlite_transactions_total");
    const commits = unlabelled("clicktrail_sqlite_commits_total");
    assert.equal(
      transactions === undefined,
      server.store === "postgres",
      "commit counters exist only on SQLite",
    );
    if (transactions !== undefined) {
      assert.ok(transactions >= 2, `the link and the click were two transactions: ${transactions}`);
      assert.ok(commits !== undefined && commits >= 1 && commits <= transactions);
    }
  });
});

describe("when Redis goes away", { skip: redisMissing }, () => {
  let redis: RedisServer;
  let server: TestServer;
  before(async () => {
    redis = await startRedis();
    server = await startServer({ REDIS_URL: redis.url ?? "" });
  });
  after(async () => {
    await server.stop();
    redis.stop?.();
  });

  test("/readyz stays 200 but reports Redis unavailable (degraded), while the API and redirects keep working", async () => {
    assert.deepEqual(await json(server, "/readyz"), {
      status: 200,
      body: { status: "ready", database: "ok", redis: "ok" },
    });
    const link = await server.sdk().links.create({ url: "https://example.com/before", key: "outage" });

    redis.stop?.();
    const down = await waitFor("readiness to report Redis", async () => {
      const result = await json(server, "/readyz");
      return result.body.redis === "unavailable" ? result : undefined;
    });
    assert.deepEqual(down, {
      status: 200,
      body: { status: "degraded", database: "ok", redis: "unavailable" },
    });
    assert.deepEqual(await json(server, "/healthz"), { status: 200, body: { status: "ok" } });

    const updated = await server.sdk().links.update(link.id, { url: "https://example.com/after" });
    assert.equal(updated.url, "https://example.com/after", "link edits succeed without Redis");
    const redirect = await visit(server, "/outage");
    assert.equal(redirect.status, 302);
    assert.ok(redirect.headers.get("location")?.startsWith("https://example.com/after"));
    const listed = await fetch(`${server.origin}/api/links`, {
      headers: { authorization: `Bearer ${server.key}` },
    });
    assert.equal(listed.status, 200);
    assert.match(
      listed.headers.get("x-ratelimit-remaining") ?? "",
      /^\d+$/,
      "rate limits are counted in memory",
    );

    const redisErrors = async (operation: string) => {
      const text = await (await fetch(`${server.origin}/metrics`)).text();
      const pattern = new RegExp(`^clicktrail_redis_errors_total\\{operation="${operation}"\\} (\\d+)`, "m");
      return Number(pattern.exec(text)?.[1] ?? 0);
    };
    assert.ok((await redisErrors("publish")) > 0, "the unsent invalidation is counted");
    assert.ok((await redisErrors("rate_limit")) > 0, "rate limits counted in memory are counted");
    await waitFor("connection errors to be counted", async () =>
      (await redisErrors("connection")) > 0 ? true : undefined,
    );
  });
});

describe("API_HOST serves the API at / on that host", () => {
  let server: TestServer;
  const API_HOST = "api.clicktrail.test";
  before(async () => {
    server = await startServer({ API_HOST });
  });
  after(() => server?.stop());

  test("the server starts; the API answers at / on API_HOST and under /api everywhere; short links still redirect", async () => {
    const auth = { authorization: `Bearer ${server.key}` };
    const link = await server
      .sdk()
      .links.create({ url: "https://example.com/api-host", key: "via-api-host" });

    const atRoot = await requestWithHost(server, "/links", API_HOST, auth);
    assert.equal(atRoot.status, 200, atRoot.body);
    assert.deepEqual(
      (JSON.parse(atRoot.body) as { id: string }[]).map((found) => found.id),
      [link.id],
    );
    const underApi = await requestWithHost(server, "/api/links", "anything.test", auth);
    assert.equal(underApi.status, 200, underApi.body);

    await rejection(requestWithHost(server, "/nothing/here", API_HOST, auth), 404);

    const onDefault = await requestWithHost(server, "/via-api-host", server.host);
    assert.equal(onDefault.status, 302);
    assert.equal(onDefault.location, "https://example.com/api-host");
    const rootElsewhere = await requestWithHost(server, "/links/info", "other.test", auth);
    assert.equal(rootElsewhere.status, 404, "the API is at / only on API_HOST");
    assert.match(rootElsewhere.contentType ?? "", /text\/html/);
  });

  test("/ on API_HOST sends a browser with a dashboard session to /app; without one, or on another host, it does not", async () => {
    const session = { cookie: "ct_session=some-session" };
    const signedIn = await requestWithHost(server, "/", API_HOST, session);
    assert.equal(signedIn.status, 302);
    assert.equal(signedIn.location, "/app");
    assert.notEqual((await requestWithHost(server, "/", API_HOST)).location, "/app");
    assert.notEqual((await requestWithHost(server, "/", server.host, session)).location, "/app");
  });
});

describe("/metrics is not for the internet", () => {
  let open: TestServer;
  let tokened: TestServer;
  const TOKEN = "metrics-token-0123456789";
  before(async () => {
    [open, tokened] = await Promise.all([
      startServer({ TRUST_PROXY: "true" }),
      startServer({ METRICS_TOKEN: TOKEN }),
    ]);
  });
  after(() => Promise.all([open?.stop(), tokened?.stop()]));

  test("without METRICS_TOKEN only private and loopback clients may scrape", async () => {
    const scrape = (ip: string) => fetch(`${open.origin}/metrics`, { headers: { "x-forwarded-for": ip } });
    for (const ip of ["127.0.0.1", "10.1.2.3", "192.168.0.9", "::1"]) {
      assert.equal((await scrape(ip)).status, 200, ip);
    }
    for (const ip of ["203.0.113.9", "8.8.8.8", "2001:4860::8888"]) {
      const answer = await scrape(ip);
      assert.equal(answer.status, 404, ip);
      assert.doesNotMatch(await answer.text(), /clicktrail_/);
    }
  });

  test("with METRICS_TOKEN a scrape needs it as a bearer token, even from loopback", async () => {
    const scrape = (authorization?: string) =>
      fetch(`${tokened.origin}/metrics`, { headers: authorization ? { authorization } : {} });
    for (const authorization of [undefined, "Bearer wrong", `Bearer ${TOKEN}x`, TOKEN]) {
      const answer = await scrape(authorization);
      assert.equal(answer.status, 401, String(authorization));
      assert.equal(answer.headers.get("www-authenticate"), "Bearer");
    }
    const allowed = await scrape(`Bearer ${TOKEN}`);
    assert.equal(allowed.status, 200);
    assert.match(await allowed.text(), /clicktrail_http_requests_total/);
  });
});
