// Three real server processes (dist/main.js) on one PostgreSQL and one Redis: every invariant must hold across them.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Dub } from "dub";
import pg from "pg";
import { startPostgres, startRedis } from "../../scripts/test-services.mjs";
import { PASSWORD_ATTEMPTS_PER_MINUTE } from "../../src/domain/clicks/password-gate.js";
import { rawRequest, uniqueIp } from "../helpers/journey.js";
import { cleanUp, cliJson, ensureBuilt, type ServerProcess, startMain } from "../helpers/processes.js";
import { BROWSER_UA } from "../helpers/server.js";

const PROCESSES = 3;
const SHORT_DOMAIN = "go.scale.test";

type Service = { url?: string; missing?: string; stop?: () => void };

let postgres: Service;
let redis: Service;
let databaseUrl: string;
const servers: ServerProcess[] = [];
const keys: Record<"sales" | "leads" | "rate" | "links", string> = {
  sales: "",
  leads: "",
  rate: "",
  links: "",
};

const env = () => ({
  DATABASE_URL: databaseUrl,
  REDIS_URL: redis.url ?? "",
  SHORT_DOMAIN,
  TRUST_PROXY: "true",
  RATE_LIMIT_PER_MINUTE: "150",
  LOG_LEVEL: "warn",
});

const servicesMissing = async () => {
  postgres = process.env.CLICKTRAIL_TEST_PG_URL
    ? { url: process.env.CLICKTRAIL_TEST_PG_URL }
    : await startPostgres();
  redis = await startRedis();
  return postgres.missing ?? redis.missing;
};

const missing = await servicesMissing();

describe("three processes on one PostgreSQL and one Redis", { skip: missing }, () => {
  const sdk = (key: string, i = 0) =>
    new Dub({ token: key, serverURL: `${servers[i % PROCESSES].origin}/api` });
  const click = (i: number, key: string, ip = uniqueIp()) =>
    fetch(`${servers[i % PROCESSES].origin}/${key}`, {
      redirect: "manual",
      headers: { "user-agent": BROWSER_UA, "x-forwarded-for": ip },
    });
  const db = () => new pg.Client({ connectionString: databaseUrl });
  const scalar = async (text: string, ...params: unknown[]) => {
    const client = db();
    await client.connect();
    try {
      return Number(Object.values((await client.query(text, params)).rows[0])[0]);
    } finally {
      await client.end();
    }
  };

  before(async () => {
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    const name = `clicktrail_scale_${Date.now()}`;
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(postgres.url as string);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    ensureBuilt();
    await cliJson(["migrate"], env());
    for (const name of Object.keys(keys) as (keyof typeof keys)[]) {
      keys[name] = (await cliJson<{ key: string }>(["keys", "create", "--name", name], env())).key;
    }
    for (let i = 0; i < PROCESSES; i++) servers.push(await startMain(env()));
  });

  after(async () => {
    cleanUp();
    redis?.stop?.();
    if (!process.env.CLICKTRAIL_TEST_PG_URL) postgres?.stop?.();
  });

  test("100 concurrent identical sales across the processes record one sale and answer the same bytes", async () => {
    const link = await sdk(keys.sales).links.create({
      url: "https://shop.example/",
      key: "sales",
      trackConversion: true,
    });
    const clickId = new URL((await click(0, "sales")).headers.get("location") ?? "").searchParams.get(
      "dub_id",
    );
    await sdk(keys.sales, 1).track.lead({
      clickId: clickId ?? "",
      eventName: "Sign up",
      customerExternalId: "buyer",
    });
    const body = JSON.stringify({ customerExternalId: "buyer", amount: 4900, invoiceId: "inv-1" });
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        fetch(`${servers[i % PROCESSES].origin}/api/track/sale`, {
          method: "POST",
          headers: { authorization: `Bearer ${keys.sales}`, "content-type": "application/json" },
          body,
        }),
      ),
    );
    assert.deepEqual(new Set(responses.map((r) => r.status)), new Set([200]));
    const texts = new Set(await Promise.all(responses.map((r) => r.text())));
    assert.equal(texts.size, 1, "every response is byte-identical");
    assert.equal(await scalar("select count(*) from sale_events where invoice_id = 'inv-1'"), 1);
    const after = await sdk(keys.sales, 2).links.get({ linkId: link.id });
    assert.equal(after.sales, 1);
    assert.equal(after.saleAmount, 4900);
  });

  test("100 concurrent identical leads across the processes record one lead", async () => {
    await sdk(keys.leads).links.create({
      url: "https://shop.example/leads",
      key: "leads",
      trackConversion: true,
    });
    const clickId =
      new URL((await click(1, "leads")).headers.get("location") ?? "").searchParams.get("dub_id") ?? "";
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        sdk(keys.leads, i).track.lead({ clickId, eventName: "Sign up", customerExternalId: "lead-1" }),
      ),
    );
    assert.equal(results.filter((r) => r.link !== null).length, 1, "exactly one call recorded the lead");
    assert.equal(
      await scalar(
        "select count(*) from lead_events where event_name = 'Sign up' and click_id = $1",
        clickId,
      ),
      1,
    );
    assert.equal(await scalar("select count(*) from customers where external_id = 'lead-1'"), 1);
  });

  test("10,000 clicks spread across the processes give exactly 10,000", async () => {
    const link = await sdk(keys.links).links.create({ url: "https://shop.example/busy", key: "busy" });
    const total = 10_000;
    let sent = 0;
    let redirected = 0;
    const worker = async () => {
      while (sent < total) {
        const i = sent++;
        const response = await click(i, "busy");
        if (response.status === 302) redirected++;
      }
    };
    await Promise.all(Array.from({ length: 60 }, worker));
    assert.equal(redirected, total);
    assert.equal((await sdk(keys.links).links.get({ linkId: link.id })).clicks, total);
    assert.equal(await scalar("select count(*) from clicks where link_id = $1", link.id), total);
  });

  test("a key's rate limit is shared by every process", async () => {
    const statuses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        fetch(`${servers[i % PROCESSES].origin}/api/links?pageSize=1`, {
          headers: { authorization: `Bearer ${keys.rate}` },
        }).then((r) => r.status),
      ),
    );
    assert.equal(
      statuses.filter((s) => s === 200).length,
      150,
      "one budget of 150 for the key, not 150 per process",
    );
    assert.equal(statuses.filter((s) => s === 429).length, 50);
  });

  test("a link's password tries are counted across the processes", async () => {
    const link = await sdk(keys.links).links.create({ url: "https://locked.example/", password: "pw" });
    const ip = uniqueIp();
    const tries: number[] = [];
    for (let i = 0; i < PASSWORD_ATTEMPTS_PER_MINUTE + 2; i++) {
      const response = await fetch(`${servers[i % PROCESSES].origin}/${link.key}`, {
        method: "POST",
        redirect: "manual",
        headers: {
          "user-agent": BROWSER_UA,
          "x-forwarded-for": ip,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: "password=wrong",
      });
      await response.arrayBuffer();
      tries.push(response.status);
    }
    assert.deepEqual(tries, [...Array(PASSWORD_ATTEMPTS_PER_MINUTE).fill(403), 429, 429]);
  });

  test("a link edited through one process redirects to the new URL from every process at once", async () => {
    const link = await sdk(keys.links).links.create({ url: "https://before.example/", key: "edited" });
    for (let i = 0; i < PROCESSES; i++) {
      assert.equal(
        (await click(i, "edited")).headers.get("location"),
        "https://before.example/",
        "warms each cache",
      );
    }
    await sdk(keys.links, 0).links.update(link.id, { url: "https://after.example/" });
    await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < PROCESSES; i++) {
      assert.equal(
        (await click(i, "edited")).headers.get("location"),
        "https://after.example/",
        `process ${i}`,
      );
    }
  });

  test("a domain's settings changed through one process act on every process at once", async () => {
    const slug = "fallback.scale.test";
    const miss = async (i: number) =>
      (
        await rawRequest(`${servers[i % PROCESSES].origin}/nowhere`, {
          method: "GET",
          headers: { host: slug, "user-agent": BROWSER_UA },
        })
      ).headers.location;
    await sdk(keys.links).domains.create({ slug });
    for (let i = 0; i < PROCESSES; i++) assert.equal(await miss(i), undefined, "warms each cache");
    await sdk(keys.links, 0).domains.update(slug, { notFoundUrl: "https://fallback.example/" });
    await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < PROCESSES; i++) {
      assert.equal(await miss(i), "https://fallback.example/", `process ${i}`);
    }
  });

  test("stopping Redis mid-run loses no acknowledged click and requests keep succeeding", async () => {
    const link = await sdk(keys.links).links.create({ url: "https://shop.example/redis", key: "redis-down" });
    let acknowledged = 0;
    const burst = async (count: number) => {
      await Promise.all(
        Array.from({ length: count }, async (_, i) => {
          const response = await click(i, "redis-down");
          if (response.status === 302) acknowledged++;
        }),
      );
    };
    await burst(300);
    redis.stop?.();
    await burst(300);
    assert.equal(acknowledged, 600, "every request was answered with a redirect");
    assert.equal(await scalar("select count(*) from clicks where link_id = $1", link.id), acknowledged);
    const api = await fetch(`${servers[2].origin}/api/links/${link.id}`, {
      headers: { authorization: `Bearer ${keys.links}` },
    });
    assert.equal(api.status, 200, "the API answers without Redis");
    assert.equal(((await api.json()) as { clicks: number }).clicks, acknowledged);
  });
});
