import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { DubWebhookPayloads } from "../../src/wire/webhook-payloads.js";
import { rejection } from "../helpers/rejection.js";
import { BROWSER_UA, requestWithHost, startServer, type TestServer, visit } from "../helpers/server.js";

const linkEvents = new DubWebhookPayloads("http");

const IPHONE_UA =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const FIREFOX_LINUX_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const GOOGLEBOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

type ClickRow = {
  id: string;
  workspace_id: string;
  link_id: string;
  timestamp: number;
  identity_hash: string;
  domain: string;
  key: string;
  url: string;
  ip: string;
  country: string;
  continent: string;
  device: string;
  browser: string;
  os: string;
  engine: string;
  ua: string;
  referer: string;
  referer_url: string;
  qr: number;
  trigger: string;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
};

const clicksOf = (server: TestServer, linkId: string) =>
  server.query<ClickRow>("select * from clicks where link_id = ? order by timestamp, id", linkId);

const clickById = (server: TestServer, id: string) =>
  server.one<ClickRow>("select * from clicks where id = ?", id);

const location = (response: Response) => {
  const value = response.headers.get("location");
  assert.ok(value, `expected a Location header (status ${response.status})`);
  return new URL(value);
};

/** The server's visitor hash: HMAC-SHA256 keyed with the installation's secret. */
const identityHash = async (on: TestServer, ip: string, ua: string) => {
  const { value } = (await on.one<{ value: string }>(
    "select value from settings where name = 'visitor_hash_secret'",
  )) as { value: string };
  return createHmac("sha256", value).update(`${ip}-${ua}`).digest("hex");
};

/** Each test visits from its own addresses (TEST-NET-3), so dedupe never couples two tests. */
let nextAddress = 0;
const freshIp = () => {
  nextAddress += 1;
  return `203.0.${Math.floor(nextAddress / 250)}.${(nextAddress % 250) + 1}`;
};

let server: TestServer; // TRUST_PROXY: X-Forwarded-For names the visitor
let plain: TestServer; // defaults: proxy headers are not trusted
let anonymous: TestServer; // TRUST_PROXY + ANONYMIZE_IP

before(async () => {
  [server, plain, anonymous] = await Promise.all([
    startServer({ TRUST_PROXY: "true" }),
    startServer(),
    startServer({ TRUST_PROXY: "true", ANONYMIZE_IP: "true" }),
  ]);
});
after(async () => {
  await Promise.all([server?.stop(), plain?.stop(), anonymous?.stop()]);
});

describe("the redirect", () => {
  test("a trackConversion link gets a 16-character dub_id; the destination's query is kept and the short link's passed through", async () => {
    const link = await server.sdk().links.create({
      url: "https://example.com/landing?ref=abc#pricing",
      key: "tc-query",
      trackConversion: true,
    });
    const response = await visit(server, "/tc-query?foo=bar&dub-no-track-not=1", {
      headers: { "x-forwarded-for": freshIp() },
    });
    assert.equal(response.status, 302);
    assert.equal(response.headers.get("cache-control"), "no-store");
    const target = location(response);
    assert.equal(`${target.origin}${target.pathname}`, "https://example.com/landing");
    assert.equal(target.hash, "#pricing");
    assert.equal(target.searchParams.get("ref"), "abc");
    assert.equal(target.searchParams.get("foo"), "bar");
    const dubId = target.searchParams.get("dub_id");
    assert.match(dubId ?? "", /^[0-9A-Za-z]{16}$/);
    assert.equal(target.searchParams.getAll("dub_id").length, 1);
    const rows = await clicksOf(server, link.id);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].id, dubId, "dub_id is the id of the committed click");
  });

  test("a link without trackConversion gets no dub_id, but its click is still recorded", async () => {
    const link = await server.sdk().links.create({ url: "https://example.com/plain", key: "no-tc" });
    const response = await visit(server, "/no-tc?foo=bar", { headers: { "x-forwarded-for": freshIp() } });
    assert.equal(response.status, 302);
    const target = location(response);
    assert.equal(target.searchParams.has("dub_id"), false);
    assert.equal(target.searchParams.get("foo"), "bar");
    assert.equal((await clicksOf(server, link.id)).length, 1);
  });

  test("the short link's query wins over the destination's own value of the same parameter", async () => {
    await server
      .sdk()
      .links.create({ url: "https://example.com/p?ref=link&keep=1", key: "override", trackConversion: true });
    const target = location(
      await visit(server, "/override?ref=visitor", { headers: { "x-forwarded-for": freshIp() } }),
    );
    assert.equal(target.searchParams.get("ref"), "visitor");
    assert.equal(target.searchParams.get("keep"), "1");
  });

  test("dub-no-track as a query parameter: redirect, parameter not forwarded, no dub_id and no click", async () => {
    const link = await server
      .sdk()
      .links.create({ url: "https://example.com/nt", key: "nt-query", trackConversion: true });
    const response = await visit(server, "/nt-query?dub-no-track=1&foo=bar", {
      headers: { "x-forwarded-for": freshIp() },
    });
    assert.equal(response.status, 302);
    const target = location(response);
    assert.equal(target.searchParams.has("dub-no-track"), false);
    assert.equal(target.searchParams.has("dub_id"), false);
    assert.equal(target.searchParams.get("foo"), "bar");
    assert.equal((await clicksOf(server, link.id)).length, 0);
  });

  test("dub-no-track as a header: redirect, no dub_id and no click", async () => {
    const link = await server
      .sdk()
      .links.create({ url: "https://example.com/nth", key: "nt-header", trackConversion: true });
    const response = await visit(server, "/nt-header", {
      headers: { "dub-no-track": "1", "x-forwarded-for": freshIp() },
    });
    assert.equal(response.status, 302);
    assert.equal(location(response).href, "https://example.com/nth");
    assert.equal((await clicksOf(server, link.id)).length, 0);
    assert.equal((await server.sdk().links.get({ linkId: link.id })).clicks, 0);
  });

  test("HEAD, a bot User-Agent and a browser prefetch redirect without recording a click", async () => {
    const link = await server
      .sdk()
      .links.create({ url: "https://example.com/bots", key: "bots", trackConversion: true });
    const head = await visit(server, "/bots", { method: "HEAD", headers: { "x-forwarded-for": freshIp() } });
    assert.equal(head.status, 302);
    assert.equal(location(head).searchParams.has("dub_id"), false);

    const bot = await visit(server, "/bots", {
      headers: { "user-agent": GOOGLEBOT_UA, "x-forwarded-for": freshIp() },
    });
    assert.equal(bot.status, 302);
    assert.equal(location(bot).href, "https://example.com/bots");

    const botParam = await visit(server, "/bots?bot=1", { headers: { "x-forwarded-for": freshIp() } });
    assert.equal(botParam.status, 302);
    assert.equal(location(botParam).searchParams.has("dub_id"), false);

    const speculative: Record<string, string>[] = [
      { "sec-purpose": "prefetch" },
      { "sec-purpose": "prefetch;prerender" },
      { purpose: "prefetch" },
      { "x-moz": "prefetch" },
    ];
    for (const headers of speculative) {
      const prefetch = await visit(server, "/bots", {
        headers: { ...headers, "x-forwarded-for": freshIp() },
      });
      assert.equal(prefetch.status, 302);
      assert.equal(location(prefetch).searchParams.has("dub_id"), false, JSON.stringify(headers));
    }

    assert.equal((await clicksOf(server, link.id)).length, 0);
    assert.equal((await server.sdk().links.get({ linkId: link.id })).clicks, 0);

    // the same link does count an ordinary visit, so the zero above is not vacuous
    const real = await visit(server, "/bots", { headers: { "x-forwarded-for": freshIp() } });
    assert.ok(location(real).searchParams.get("dub_id"));
    assert.equal((await clicksOf(server, link.id)).length, 1);
  });
});

describe("the click row", () => {
  test("is committed with every attribute by the time the response arrives", async () => {
    const url =
      "https://shop.example.com/item?utm_source=newsletter&utm_medium=email&utm_campaign=spring&utm_term=shoes&utm_content=hero";
    const link = await server.sdk().links.create({ url, key: "fields", trackConversion: true });
    const startedAt = Date.now();
    const response = await visit(server, "/fields?foo=bar", {
      headers: { "x-forwarded-for": "8.8.8.8", referer: "https://www.google.com/search?q=clicktrail" },
    });
    const arrivedAt = Date.now();
    const id = location(response).searchParams.get("dub_id") ?? "";
    const row = await clickById(server, id);
    assert.ok(row, "the click is in SQLite when the redirect arrives");
    assert.equal(row.link_id, link.id);
    assert.equal(row.workspace_id, server.workspaceId);
    assert.equal(row.domain, server.host);
    assert.equal(row.key, "fields");
    assert.ok(
      row.timestamp >= startedAt && row.timestamp <= arrivedAt,
      `timestamp ${row.timestamp} within the request`,
    );
    assert.equal(row.identity_hash, await identityHash(server, "8.8.8.8", BROWSER_UA));
    assert.equal(row.url, url);
    assert.equal(row.ip, "8.8.8.8");
    assert.equal(row.country, "US");
    assert.equal(row.continent, "NA");
    assert.equal(row.device, "Desktop");
    assert.equal(row.browser, "Chrome");
    assert.equal(row.os, "Mac OS");
    assert.equal(row.engine, "Blink");
    assert.equal(row.ua, BROWSER_UA);
    assert.equal(row.referer, "google.com");
    assert.equal(row.referer_url, "https://www.google.com/search?q=clicktrail");
    assert.equal(row.qr, 0);
    assert.equal(row.trigger, "link");
    assert.deepEqual(
      [row.utm_source, row.utm_medium, row.utm_campaign, row.utm_term, row.utm_content],
      ["newsletter", "email", "spring", "shoes", "hero"],
    );
  });

  test("a visit without a Referer is (direct); ?qr=1 is a QR scan and is not forwarded; a phone is Mobile", async () => {
    const link = await server
      .sdk()
      .links.create({ url: "https://example.com/qr", key: "qr-scan", trackConversion: true });
    const response = await visit(server, "/qr-scan?qr=1", {
      headers: { "x-forwarded-for": freshIp(), "user-agent": IPHONE_UA },
    });
    const target = location(response);
    assert.equal(target.searchParams.has("qr"), false);
    const row = await clickById(server, target.searchParams.get("dub_id") ?? "");
    assert.ok(row);
    assert.equal(row.link_id, link.id);
    assert.equal(row.referer, "(direct)");
    assert.equal(row.referer_url, "(direct)");
    assert.equal(row.qr, 1);
    assert.equal(row.trigger, "qr");
    assert.equal(row.device, "Mobile");
    assert.equal(row.os, "iOS");
    assert.equal(row.browser, "Mobile Safari");
    assert.equal(row.utm_source, null);

    const desktop = await visit(server, "/qr-scan", {
      headers: { "x-forwarded-for": freshIp(), "user-agent": FIREFOX_LINUX_UA },
    });
    const other = await clickById(server, location(desktop).searchParams.get("dub_id") ?? "");
    assert.ok(other);
    assert.equal(other.qr, 0);
    assert.equal(other.browser, "Firefox");
    assert.equal(other.os, "Linux");
    assert.equal(other.device, "Desktop");
  });

  test("cf-ipcountry is honoured behind a trusted proxy", async () => {
    await server
      .sdk()
      .links.create({ url: "https://example.com/de", key: "country-hint", trackConversion: true });
    const response = await visit(server, "/country-hint", {
      headers: { "x-forwarded-for": "8.8.8.8", "cf-ipcountry": "DE" },
    });
    const row = await clickById(server, location(response).searchParams.get("dub_id") ?? "");
    assert.ok(row);
    assert.equal(row.ip, "8.8.8.8");
    assert.equal(row.country, "DE");
    assert.equal(row.continent, "EU");
  });

  test("a country header that names no country (Cloudflare's XX) falls back to the address; lower case is accepted", async () => {
    await server
      .sdk()
      .links.create({ url: "https://example.com/xx", key: "country-xx", trackConversion: true });
    const unknown = await visit(server, "/country-xx", {
      headers: { "x-forwarded-for": "8.8.8.8", "cf-ipcountry": "XX" },
    });
    const lower = await visit(server, "/country-xx", {
      headers: { "x-forwarded-for": "8.8.4.4", "cf-ipcountry": "fr" },
    });
    const tor = await visit(server, "/country-xx", {
      headers: { "x-forwarded-for": "1.1.1.1", "cf-ipcountry": "T1" },
    });
    assert.equal(
      (await clickById(server, location(unknown).searchParams.get("dub_id") ?? ""))?.country,
      "US",
    );
    assert.equal((await clickById(server, location(lower).searchParams.get("dub_id") ?? ""))?.country, "FR");
    const torRow = await clickById(server, location(tor).searchParams.get("dub_id") ?? "");
    assert.ok(torRow);
    assert.notEqual(torRow.country, "T1");
  });

  test("an X-Forwarded-For address with a port is stored and located without the port", async () => {
    await server
      .sdk()
      .links.create({ url: "https://example.com/port", key: "xff-port", trackConversion: true });
    const response = await visit(server, "/xff-port", { headers: { "x-forwarded-for": "8.8.8.8:1234" } });
    const row = await clickById(server, location(response).searchParams.get("dub_id") ?? "");
    assert.ok(row);
    assert.equal(row.ip, "8.8.8.8");
    assert.equal(row.country, "US");
    assert.equal(row.identity_hash, await identityHash(server, "8.8.8.8", BROWSER_UA));
  });

  test("without TRUST_PROXY, X-Forwarded-For and cf-ipcountry are ignored", async () => {
    await plain
      .sdk()
      .links.create({ url: "https://example.com/untrusted", key: "untrusted", trackConversion: true });
    const response = await visit(plain, "/untrusted", {
      headers: { "x-forwarded-for": "8.8.8.8", "cf-ipcountry": "DE" },
    });
    const row = await clickById(plain, location(response).searchParams.get("dub_id") ?? "");
    assert.ok(row);
    assert.equal(row.ip, "127.0.0.1");
    assert.equal(row.country, "Unknown");
    assert.equal(row.identity_hash, await identityHash(plain, "127.0.0.1", BROWSER_UA));
  });

  test("ANONYMIZE_IP stores the network part only, while the country still comes from the full address", async () => {
    const link = await anonymous
      .sdk()
      .links.create({ url: "https://example.com/anon", key: "anon", trackConversion: true });
    const v4 = await visit(anonymous, "/anon", { headers: { "x-forwarded-for": "8.8.8.8" } });
    const v6 = await visit(anonymous, "/anon", { headers: { "x-forwarded-for": "2001:4860:4860::8888" } });
    const rowV4 = await clickById(anonymous, location(v4).searchParams.get("dub_id") ?? "");
    const rowV6 = await clickById(anonymous, location(v6).searchParams.get("dub_id") ?? "");
    assert.ok(rowV4 && rowV6);
    assert.equal(rowV4.ip, "8.8.8.0");
    assert.equal(rowV4.country, "US");
    assert.equal(rowV6.ip, "2001:4860:4860::");
    // a proxy that appends the client's port must not smuggle the full address past anonymisation
    const withPort = await visit(anonymous, "/anon", { headers: { "x-forwarded-for": "8.8.4.4:5421" } });
    const bracketed = await visit(anonymous, "/anon", {
      headers: { "x-forwarded-for": "[2001:4860:4860::8844]:443" },
    });
    assert.equal(
      (await clickById(anonymous, location(withPort).searchParams.get("dub_id") ?? ""))?.ip,
      "8.8.4.0",
    );
    assert.equal(
      (await clickById(anonymous, location(bracketed).searchParams.get("dub_id") ?? ""))?.ip,
      "2001:4860:4860::",
    );
    const all = await clicksOf(anonymous, link.id);
    assert.equal(all.length, 4);
    for (const row of all) assert.match(row.ip, /(\.0|::)$/);
  });
});

describe("dedupe and counters", () => {
  test("the same visitor within the hour gets the same dub_id and is counted once; another User-Agent is a new click", async () => {
    const link = await server
      .sdk()
      .links.create({ url: "https://example.com/dedupe", key: "dedupe", trackConversion: true });
    const ip = freshIp();
    const first = location(
      await visit(server, "/dedupe", { headers: { "x-forwarded-for": ip } }),
    ).searchParams.get("dub_id");
    const second = location(
      await visit(server, "/dedupe", { headers: { "x-forwarded-for": ip } }),
    ).searchParams.get("dub_id");
    assert.match(first ?? "", /^[0-9A-Za-z]{16}$/);
    assert.equal(second, first);
    assert.equal((await clicksOf(server, link.id)).length, 1);
    assert.equal((await server.sdk().links.get({ linkId: link.id })).clicks, 1);

    const third = location(
      await visit(server, "/dedupe", { headers: { "x-forwarded-for": ip, "user-agent": FIREFOX_LINUX_UA } }),
    ).searchParams.get("dub_id");
    assert.notEqual(third, first);
    assert.equal((await clicksOf(server, link.id)).length, 2);
    assert.equal((await server.sdk().links.get({ linkId: link.id })).clicks, 2);
  });

  test("the same visitor on another link is a separate click", async () => {
    const a = await server
      .sdk()
      .links.create({ url: "https://example.com/a", key: "pair-a", trackConversion: true });
    const b = await server
      .sdk()
      .links.create({ url: "https://example.com/b", key: "pair-b", trackConversion: true });
    const ip = freshIp();
    const idA = location(
      await visit(server, "/pair-a", { headers: { "x-forwarded-for": ip } }),
    ).searchParams.get("dub_id");
    const idB = location(
      await visit(server, "/pair-b", { headers: { "x-forwarded-for": ip } }),
    ).searchParams.get("dub_id");
    assert.notEqual(idA, idB);
    assert.equal((await clicksOf(server, a.id)).length, 1);
    assert.equal((await clicksOf(server, b.id)).length, 1);
  });

  test("clicks and lastClicked are exact after N distinct visitors", async () => {
    const sdk = server.sdk();
    const link = await sdk.links.create({ url: "https://example.com/count", key: "count" });
    assert.equal(link.clicks, 0);
    assert.equal(link.lastClicked, null);
    const n = 7;
    for (let i = 0; i < n; i++) {
      const response = await visit(server, "/count", { headers: { "x-forwarded-for": freshIp() } });
      assert.equal(response.status, 302);
    }
    const rows = await clicksOf(server, link.id);
    assert.equal(rows.length, n);
    const fetched = await sdk.links.get({ linkId: link.id });
    assert.equal(fetched.clicks, n);
    assert.equal(fetched.lastClicked, new Date(Math.max(...rows.map((row) => row.timestamp))).toISOString());
  });

  test("N concurrent visitors are all committed and counted exactly (group commit)", async () => {
    const sdk = server.sdk();
    const link = await sdk.links.create({
      url: "https://example.com/burst",
      key: "burst",
      trackConversion: true,
    });
    const n = 120;
    const ips = Array.from({ length: n }, () => freshIp());
    const ids = await Promise.all(
      ips.map(async (ip) => {
        const response = await visit(server, "/burst", { headers: { "x-forwarded-for": ip } });
        assert.equal(response.status, 302);
        const id = location(response).searchParams.get("dub_id") ?? "";
        // committed before its own redirect was sent, whatever batch it was in
        const row = await clickById(server, id);
        assert.ok(row, `click ${id} committed before its redirect arrived`);
        assert.equal(row.identity_hash, await identityHash(server, ip, BROWSER_UA));
        return id;
      }),
    );
    assert.equal(new Set(ids).size, n);
    const rows = await clicksOf(server, link.id);
    assert.equal(rows.length, n);
    const fetched = await sdk.links.get({ linkId: link.id });
    assert.equal(fetched.clicks, n);
    assert.equal(fetched.lastClicked, new Date(Math.max(...rows.map((row) => row.timestamp))).toISOString());
  });

  test("concurrent repeats of the same visitors share ids and are counted once each", async () => {
    const sdk = server.sdk();
    const link = await sdk.links.create({
      url: "https://example.com/repeat",
      key: "repeat",
      trackConversion: true,
    });
    const visitors = Array.from({ length: 20 }, () => freshIp());
    const requests = [...visitors, ...visitors, ...visitors];
    const results = await Promise.all(
      requests.map(async (ip) => {
        const response = await visit(server, "/repeat", { headers: { "x-forwarded-for": ip } });
        return { ip, id: location(response).searchParams.get("dub_id") ?? "" };
      }),
    );
    const byVisitor = new Map<string, Set<string>>();
    for (const { ip, id } of results) byVisitor.set(ip, (byVisitor.get(ip) ?? new Set()).add(id));
    for (const [ip, ids] of byVisitor) assert.equal(ids.size, 1, `visitor ${ip} got ${[...ids].join(", ")}`);
    assert.equal((await clicksOf(server, link.id)).length, visitors.length);
    assert.equal((await sdk.links.get({ linkId: link.id })).clicks, visitors.length);
  });
});

describe("links that do not redirect normally", () => {
  test("an unknown key is a 404 HTML page", async () => {
    const response = await visit(server, "/no-such-key-here", { headers: { "x-forwarded-for": freshIp() } });
    assert.equal(response.status, 404);
    assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
    assert.match(await response.text(), /Link not found/);
    assert.equal(response.headers.get("location"), null);
  });

  test("an expired link redirects to its expiredUrl, without a click or dub_id", async () => {
    const sdk = server.sdk();
    const link = await sdk.links.create({
      url: "https://example.com/live",
      key: "expired-redirect",
      trackConversion: true,
      expiresAt: new Date(Date.now() - 60_000).toISOString(),
      expiredUrl: "https://example.com/sorry?reason=expired",
    });
    const response = await visit(server, "/expired-redirect?foo=bar", {
      headers: { "x-forwarded-for": freshIp() },
    });
    assert.equal(response.status, 302);
    assert.equal(response.headers.get("location"), "https://example.com/sorry?reason=expired");
    assert.equal((await clicksOf(server, link.id)).length, 0);
    assert.equal((await sdk.links.get({ linkId: link.id })).clicks, 0);
  });

  test("an expired link without expiredUrl is a 410 page, without a click", async () => {
    const sdk = server.sdk();
    const link = await sdk.links.create({
      url: "https://example.com/gone",
      key: "expired-gone",
      expiresAt: new Date(Date.now() - 60_000).toISOString(),
    });
    const response = await visit(server, "/expired-gone", { headers: { "x-forwarded-for": freshIp() } });
    assert.equal(response.status, 410);
    assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
    assert.match(await response.text(), /expired/i);
    assert.equal((await clicksOf(server, link.id)).length, 0);
  });

  test("a link that expires in the future still redirects and counts", async () => {
    const link = await server.sdk().links.create({
      url: "https://example.com/soon",
      key: "expires-later",
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      expiredUrl: "https://example.com/sorry",
    });
    const response = await visit(server, "/expires-later", { headers: { "x-forwarded-for": freshIp() } });
    assert.equal(response.status, 302);
    assert.equal(response.headers.get("location"), "https://example.com/soon");
    assert.equal((await clicksOf(server, link.id)).length, 1);
  });
});

describe("hosts and paths", () => {
  test("an unregistered Host resolves against the default domain; a link's own domain is served for its Host", async () => {
    const sdk = server.sdk();
    const onDefault = await sdk.links.create({ url: "https://example.com/default-domain", key: "hosted" });
    const onCustom = await sdk.links.create({
      url: "https://example.com/custom-domain",
      key: "hosted",
      domain: "go.example.com",
    });
    const onlyCustom = await sdk.links.create({
      url: "https://example.com/only-custom",
      key: "only-custom",
      domain: "go.example.com",
    });
    assert.equal(onDefault.domain, server.host);
    assert.equal(onCustom.domain, "go.example.com");

    const unknown = await requestWithHost(server, "/hosted", "unknown.example", {
      "x-forwarded-for": freshIp(),
    });
    assert.equal(unknown.status, 302);
    assert.equal(unknown.location, "https://example.com/default-domain");

    const custom = await requestWithHost(server, "/hosted", "go.example.com", {
      "x-forwarded-for": freshIp(),
    });
    assert.equal(custom.status, 302);
    assert.equal(custom.location, "https://example.com/custom-domain");

    const customUpperCase = await requestWithHost(server, "/only-custom", "GO.Example.COM", {
      "x-forwarded-for": freshIp(),
    });
    assert.equal(customUpperCase.status, 302);
    assert.equal(customUpperCase.location, "https://example.com/only-custom");

    const byDefaultHost = await requestWithHost(server, "/hosted", server.host, {
      "x-forwarded-for": freshIp(),
    });
    assert.equal(byDefaultHost.location, "https://example.com/default-domain");

    // a registered domain does not fall back: its own keys only
    const notOnCustom = await requestWithHost(server, "/count", "go.example.com", {
      "x-forwarded-for": freshIp(),
    });
    assert.equal(notOnCustom.status, 404);
    assert.match(notOnCustom.contentType ?? "", /^text\/html/);
    // and a custom domain's key is not reachable from the default domain
    const notOnDefault = await requestWithHost(server, "/only-custom", "unknown.example", {
      "x-forwarded-for": freshIp(),
    });
    assert.equal(notOnDefault.status, 404);

    const customRows = await clicksOf(server, onCustom.id);
    assert.equal(customRows.length, 1);
    assert.equal(customRows[0].domain, "go.example.com");
    assert.equal((await clicksOf(server, onDefault.id)).length, 2);
    assert.equal((await clicksOf(server, onlyCustom.id)).length, 1);
  });

  test("reserved paths are never short links, even if such a key got into the database", async () => {
    const base = await server
      .sdk()
      .links.create({ url: "https://example.com/hijack", key: "reserved-template" });
    // the API refuses these keys; write them straight to the store to prove the router does not serve them
    for (const key of ["api", "healthz"]) {
      const stored = await server.storage.stores.links.findById(server.workspaceId, base.id);
      assert.ok(stored);
      const reserved = { ...stored, id: `link_reserved_${key}`, key };
      await server.storage.stores.links.insert(
        reserved,
        linkEvents.linkChanged("link.created", reserved, Date.now()),
      );
    }
    const health = await visit(server, "/healthz");
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: "ok" });

    const api = await visit(server, "/api");
    assert.equal(api.headers.get("location"), null);
    await rejection(api, 404);

    const apiSlash = await visit(server, "/api/");
    assert.equal(apiSlash.status, 404);
    assert.equal(apiSlash.headers.get("location"), null);

    await rejection(server.sdk().links.create({ url: "https://example.com/x", key: "healthz" }), 422);
    assert.equal(
      Number(
        (await server.one<{ n: number }>("select count(*) as n from clicks where key in ('api', 'healthz')"))
          ?.n,
      ),
      0,
    );
  });

  test("after links.update changes the URL, the next visit goes to the new URL", async () => {
    const sdk = server.sdk();
    const link = await sdk.links.create({
      url: "https://example.com/before",
      key: "moving",
      trackConversion: true,
    });
    const first = await requestWithHost(server, "/moving", server.host, { "x-forwarded-for": freshIp() });
    assert.equal(new URL(first.location ?? "").pathname, "/before");
    await sdk.links.update(link.id, { url: "https://example.com/after" });
    const second = await requestWithHost(server, "/moving", server.host, { "x-forwarded-for": freshIp() });
    assert.equal(new URL(second.location ?? "").pathname, "/after");
    const rows = await clicksOf(server, link.id);
    assert.deepEqual(
      rows.map((row) => row.url),
      ["https://example.com/before", "https://example.com/after"],
    );
  });

  test("a URL change is seen at once through a Host that falls back to the default domain", async () => {
    const sdk = server.sdk();
    const link = await sdk.links.create({ url: "https://example.com/old", key: "moving-fallback" });
    const first = await visit(server, "/moving-fallback", { headers: { "x-forwarded-for": freshIp() } });
    assert.equal(first.headers.get("location"), "https://example.com/old");
    await sdk.links.update(link.id, { url: "https://example.com/new" });
    const second = await visit(server, "/moving-fallback", { headers: { "x-forwarded-for": freshIp() } });
    assert.equal(second.headers.get("location"), "https://example.com/new");
  });

  test("a link created after its key was visited through a fallback Host is served at once", async () => {
    const missing = await visit(server, "/created-later", { headers: { "x-forwarded-for": freshIp() } });
    assert.equal(missing.status, 404);
    await server.sdk().links.create({ url: "https://example.com/created", key: "created-later" });
    const found = await visit(server, "/created-later", { headers: { "x-forwarded-for": freshIp() } });
    assert.equal(found.status, 302);
  });
});

describe("when the click cannot be stored", () => {
  test("the visitor is still redirected (without a click id) and the loss is counted", async () => {
    const lossy = await startServer();
    try {
      await lossy
        .sdk()
        .links.create({ url: "https://example.com/lossy", key: "lossy", trackConversion: true });
      assert.equal((await visit(lossy, "/lossy")).status, 302, "the link is now in the lookup cache");
      await lossy.storage.db.destroy();
      const response = await visit(lossy, "/lossy", { headers: { "user-agent": `${BROWSER_UA} other` } });
      assert.equal(response.status, 302);
      const location = new URL(response.headers.get("location") ?? "");
      assert.equal(location.origin + location.pathname, "https://example.com/lossy");
      assert.equal(location.searchParams.get("dub_id"), null);
      const metrics = await (await fetch(`${lossy.origin}/metrics`)).text();
      assert.match(metrics, /clicktrail_clicks_lost_total 1/);
    } finally {
      await lossy.stop().catch(() => {});
    }
  });
});

test("the visitor hash is keyed: a stored hash is not SHA-256(ip-ua) and cannot be reversed by trying IPs", async () => {
  await server.sdk().links.create({ url: "https://example.com/hash", key: "hashcheck" });
  await visit(server, "/hashcheck", { headers: { "user-agent": `${BROWSER_UA} hash` } });
  const row = (await server.one<{ identity_hash: string; ip: string; ua: string }>(
    "select identity_hash, ip, ua from clicks where key = 'hashcheck'",
  )) as { identity_hash: string; ip: string; ua: string };
  assert.match(row.identity_hash, /^[0-9a-f]{64}$/);
  assert.notEqual(row.identity_hash, createHash("sha256").update(`${row.ip}-${row.ua}`).digest("hex"));
});
