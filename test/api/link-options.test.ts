// Link options and details Dub's clients rely on (issue 15, items 1 and 2): the link object's identifier and
// linkRetentionCleanupDisabledAt, rewrite on create, PATCH disabledAt, prefix and keyLength, keys in NFD, utm_* up
// to 255 characters, PUT as PATCH's older verb, a new url keeping the link's UTM values, Dub's own validation
// words. Through the `dub` SDK where it can say it, by raw HTTP where it cannot.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Dub } from "dub";
import { apiCall, apiJson, clickIdAt, unique } from "../helpers/journey.js";
import { rejection } from "../helpers/rejection.js";
import { startServer, type TestServer, visit } from "../helpers/server.js";

let server: TestServer;
let dub: Dub;

before(async () => {
  server = await startServer();
  dub = server.sdk();
});
after(() => server.stop());

const api = (method: string, path: string, body?: unknown) =>
  apiCall(server.origin, server.key, method, path, body);
const json = (method: string, path: string, body?: unknown) =>
  apiJson(server.origin, server.key, method, path, body);
const storedKey = async (id: string) =>
  (await server.one<{ key: string }>("select key from links where id = ?", id))?.key;

describe("the link object", () => {
  test("carries identifier and linkRetentionCleanupDisabledAt, null, on every link answer", async () => {
    const created = await json("POST", "/links", { url: "https://example.com/object" });
    const answers = [
      created,
      await json("GET", `/links/${created.id}`),
      await json("GET", `/links/info?linkId=${created.id}`),
      (await json("GET", "/links")).find((link: { id: string }) => link.id === created.id),
      await json("PATCH", `/links/${created.id}`, { title: "t" }),
    ];
    for (const link of answers) {
      assert.ok(Object.hasOwn(link, "identifier") && link.identifier === null, JSON.stringify(link));
      assert.ok(Object.hasOwn(link, "linkRetentionCleanupDisabledAt"));
      assert.equal(link.linkRetentionCleanupDisabledAt, null);
    }
    // The SDK reads them without complaint (it strips keys it does not know).
    assert.equal((await dub.links.get({ linkId: created.id })).id, created.id);
  });

  test("rewrite: true on create is kept", async () => {
    const link = await dub.links.create({ url: "https://example.com/framed", rewrite: true });
    assert.equal(link.rewrite, true);
    assert.equal((await dub.links.get({ linkId: link.id })).rewrite, true);
  });

  test("PATCH disabledAt stops the short link; null starts it again; a bad date is 422", async () => {
    const key = unique("disable");
    const link = await dub.links.create({ url: "https://example.com/disabled", key });
    assert.equal((await visit(server, `/${key}`)).status, 302);

    const at = "2026-01-02T03:04:05.000Z";
    const disabled = await json("PATCH", `/links/${link.id}`, { disabledAt: at });
    assert.equal(disabled.disabledAt, at);
    assert.equal((await dub.links.get({ linkId: link.id })).disabledAt, at);
    assert.equal((await visit(server, `/${key}`)).status, 404, "a disabled link answers as not found");

    const enabled = await json("PATCH", `/links/${link.id}`, { disabledAt: null });
    assert.equal(enabled.disabledAt, null);
    assert.equal((await visit(server, `/${key}`)).status, 302);

    await rejection(await api("PATCH", `/links/${link.id}`, { disabledAt: "yesterday" }), 422, {
      message: /^custom: disabledAt: /,
    });
    // A title alone leaves it as it is.
    await json("PATCH", `/links/${link.id}`, { disabledAt: at });
    assert.equal((await json("PATCH", `/links/${link.id}`, { title: "still off" })).disabledAt, at);
  });
});

describe("prefix and keyLength", () => {
  test("a random key is prefix/ and keyLength characters; a given key ignores prefix", async () => {
    const prefixed = await dub.links.create({ url: "https://example.com/p", prefix: "gh" });
    assert.match(prefixed.key, /^gh\/[0-9A-Za-z]{7}$/);
    assert.equal(await storedKey(prefixed.id), prefixed.key);

    const slashes = await dub.links.create({ url: "https://example.com/p", prefix: "/c/" });
    assert.match(slashes.key, /^c\/[0-9A-Za-z]{7}$/);

    const long = await dub.links.create({ url: "https://example.com/p", keyLength: 12 });
    assert.match(long.key, /^[0-9A-Za-z]{12}$/);

    const both = await dub.links.create({ url: "https://example.com/p", prefix: "docs", keyLength: 3 });
    assert.match(both.key, /^docs\/[0-9A-Za-z]{3}$/);

    const key = unique("given");
    const given = await dub.links.create({ url: "https://example.com/p", key, prefix: "gh", keyLength: 20 });
    assert.equal(given.key, key);
  });

  test("a prefixed key redirects; a prefix no key could be reached under is refused", async () => {
    const prefixed = await dub.links.create({ url: "https://example.com/prefixed", prefix: "gh/team" });
    assert.match(prefixed.key, /^gh\/team\/[0-9A-Za-z]{7}$/);
    const answer = await visit(server, `/${prefixed.key}`);
    assert.equal(answer.status, 302);
    assert.equal(answer.headers.get("location"), "https://example.com/prefixed");
    for (const prefix of ["api", "App/x", "a//b", "a/../b", "."]) {
      await rejection(dub.links.create({ url: "https://example.com/p", prefix }), 422, {
        message: /prefix/,
      });
    }
  });

  test("Dub's bounds: keyLength 3 to 190, a whole number, and the key with its prefix at most 190", async () => {
    for (const keyLength of [2, 191, 7.5]) {
      await rejection(dub.links.create({ url: "https://example.com/p", keyLength }), 422, {
        message: /keyLength/,
      });
    }
    await rejection(
      dub.links.create({ url: "https://example.com/p", prefix: "p".repeat(100), keyLength: 100 }),
      422,
      { message: /longer than 190/ },
    );
    await rejection(dub.links.create({ url: "https://example.com/p", prefix: "a?b" }), 422, {
      message: /prefix/,
    });
    assert.match(
      (await dub.links.create({ url: "https://example.com/p", prefix: "p".repeat(100), keyLength: 89 })).key,
      /^p{100}\/[0-9A-Za-z]{89}$/,
    );
  });

  test("bulk create and upsert read them per item", async () => {
    const results = await dub.links.createMany([
      { url: "https://example.com/bulk-prefix/1", prefix: "b", keyLength: 5 },
      { url: "https://example.com/bulk-prefix/2", keyLength: 1 },
      { url: "https://example.com/bulk-prefix/3", keyLength: 10 },
    ]);
    const [first, refused, third] = results as Record<string, unknown>[];
    assert.match(String(first.key), /^b\/[0-9A-Za-z]{5}$/);
    assert.equal(refused.code, "unprocessable_entity");
    assert.match(String(refused.error), /keyLength/);
    assert.match(String(third.key), /^[0-9A-Za-z]{10}$/);

    const upserted = await dub.links.upsert({ url: "https://example.com/upsert-prefix", prefix: "u" });
    assert.match(upserted.key, /^u\/[0-9A-Za-z]{7}$/);
    const again = await dub.links.upsert({ url: "https://example.com/upsert-prefix", prefix: "u" });
    assert.equal(again.id, upserted.id, "the same url finds it; prefix makes no change");
  });

  test("an update takes neither (Dub's update has no such fields)", async () => {
    const link = await dub.links.create({ url: "https://example.com/p-update" });
    const updated = await json("PATCH", `/links/${link.id}`, { prefix: "x", keyLength: 20 });
    assert.equal(updated.key, link.key);
  });
});

describe("a key sent decomposed (NFD) is the key stored composed (NFC)", () => {
  const nfc = `caf\u00e9-${Math.random().toString(36).slice(2, 8)}`;
  const nfd = nfc.normalize("NFD");

  test("create, info, redirect, duplicate and update all see one key", async () => {
    assert.notEqual(nfc, nfd);
    const created = await json("POST", "/links", { url: "https://example.com/nfd", key: nfd });
    assert.equal(created.key, nfc);
    assert.equal(await storedKey(created.id), nfc);

    for (const key of [nfd, nfc]) {
      const found = await json("GET", `/links/info?domain=${server.host}&key=${encodeURIComponent(key)}`);
      assert.equal(found.id, created.id, `info by ${key === nfc ? "NFC" : "NFD"}`);
      const answer = await visit(server, `/${encodeURIComponent(key)}`);
      assert.equal(answer.status, 302, `redirect by ${key === nfc ? "NFC" : "NFD"}`);
      assert.equal(answer.headers.get("location"), "https://example.com/nfd");
    }

    await rejection(await api("POST", "/links", { url: "https://example.com/nfd2", key: nfc }), 409);
    await rejection(dub.links.create({ url: "https://example.com/nfd2", key: nfd }), 409);

    const other = await dub.links.create({ url: "https://example.com/nfd3" });
    const moved = `${nfd}-moved`;
    const updated = await json("PATCH", `/links/${other.id}`, { key: moved });
    assert.equal(updated.key, moved.normalize("NFC"));
    assert.equal(await storedKey(other.id), moved.normalize("NFC"));
  });
});

describe("UTM values", () => {
  test("utm_* take up to 255 characters, as Dub's do", async () => {
    const value = "u".repeat(255);
    const link = await dub.links.create({
      url: "https://example.com/utm255",
      utmSource: value,
      utmTerm: value,
    });
    assert.equal(link.utmSource, value);
    assert.equal(link.utmTerm, value);
    for (const field of ["utmSource", "utmMedium", "utmCampaign", "utmTerm", "utmContent"] as const) {
      await rejection(dub.links.create({ url: "https://example.com/utm256", [field]: `${value}u` }), 422);
    }
  });

  test("a PATCH of url alone keeps the link's UTM values; the new url's own, or a null, decide instead", async () => {
    const link = await dub.links.create({
      url: "https://example.com/old",
      utmSource: "news",
      utmMedium: "email",
      utmCampaign: "spring",
    });
    const moved = await dub.links.update(link.id, { url: "https://example.com/new?x=1" });
    const url = new URL(moved.url);
    assert.equal(`${url.origin}${url.pathname}`, "https://example.com/new");
    assert.equal(url.searchParams.get("x"), "1");
    assert.deepEqual(
      [moved.utmSource, moved.utmMedium, moved.utmCampaign, moved.utmTerm],
      ["news", "email", "spring", null],
    );
    assert.equal(url.searchParams.get("utm_source"), "news");
    assert.equal(url.searchParams.get("utm_campaign"), "spring");

    const own = await dub.links.update(link.id, { url: "https://example.com/own?utm_source=ads" });
    assert.equal(own.utmSource, "ads", "the new url names utm_source itself");
    assert.equal(own.utmMedium, "email");

    const cleared = await dub.links.update(link.id, { url: "https://example.com/cleared", utmMedium: null });
    assert.equal(cleared.utmMedium, null);
    assert.equal(cleared.utmSource, "ads");
    assert.equal(new URL(cleared.url).searchParams.get("utm_medium"), null);

    const [bulk] = await dub.links.updateMany({
      linkIds: [link.id],
      data: { url: "https://example.com/bulk" },
    });
    assert.equal(bulk.utmSource, "ads");
    assert.equal(new URL(bulk.url).searchParams.get("utm_campaign"), "spring");
  });
});

describe("PUT /links/{linkId}, Dub's older verb", () => {
  test("updates as PATCH does, by id or ext_ id, and validates as PATCH does", async () => {
    const externalId = unique("put");
    const link = await dub.links.create({ url: "https://example.com/put", externalId });
    const updated = await json("PUT", `/links/${link.id}`, {
      title: "by PUT",
      url: "https://example.com/put2",
    });
    assert.equal(updated.title, "by PUT");
    assert.equal(updated.url, "https://example.com/put2");
    assert.equal(updated.key, link.key);
    assert.equal((await json("PUT", `/links/ext_${externalId}`, { comments: "c" })).comments, "c");
    assert.equal((await dub.links.get({ linkId: link.id })).title, "by PUT");

    await rejection(await api("PUT", `/links/${link.id}`, { url: "nope" }), 422, {
      message: "Invalid destination URL",
    });
    await rejection(await api("PUT", "/links/link_unknown", { title: "x" }), 404);
  });

  test("the OpenAPI document lists it as deprecated", async () => {
    const document = (await (await fetch(`${server.origin}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { operationId?: string; deprecated?: boolean }>>;
    };
    const put = document.paths["/links/{linkId}"].put;
    assert.equal(put.deprecated, true);
    assert.equal(put.operationId, "updateLinkPut");
    assert.equal(document.paths["/links/{linkId}"].patch.operationId, "updateLink");
  });
});

describe("Dub's validation words", () => {
  test("an invalid destination URL is 422 with Dub's message alone, on create, update, upsert and in bulk", async () => {
    for (const url of ["invalid", "javascript:alert(1)", "/relative"]) {
      await rejection(dub.links.create({ url }), 422, { message: "Invalid destination URL" });
      await rejection(dub.links.upsert({ url }), 422, { message: "Invalid destination URL" });
    }
    const link = await dub.links.create({ url: "https://example.com/valid" });
    await rejection(dub.links.update(link.id, { url: "invalid" }), 422, {
      message: "Invalid destination URL",
    });
    const [item] = (await dub.links.createMany([{ url: "invalid" }])) as Record<string, unknown>[];
    assert.equal(item.error, "Invalid destination URL");
  });

  test("the link's other URLs are 'Invalid URL'; a URL over 32000 characters says so", async () => {
    await rejection(dub.links.create({ url: "https://example.com/x", ios: "nope" }), 422, {
      message: "custom: ios: Invalid URL",
    });
    await rejection(dub.links.create({ url: "https://example.com/x", geo: { FR: "nope" } }), 422, {
      message: "custom: geo.FR: Invalid URL",
    });
    await rejection(dub.links.create({ url: `https://example.com/${"x".repeat(32_000)}` }), 422, {
      message: "too_big: url: Must be 32000 or fewer characters long",
    });
  });

  test("/links/info: an empty domain or key is Dub's 'is required.'", async () => {
    await rejection(await api("GET", `/links/info?domain=${server.host}&key=`), 422, {
      message: "too_small: key: Key is required.",
    });
    await rejection(await api("GET", "/links/info?domain=&key=abc"), 422, {
      message: "too_small: domain: Domain is required.",
    });
  });
});

describe("GET /links pagination", () => {
  test("a page or pageSize out of bounds or not a number is 422, not a page", async () => {
    for (const query of [
      "page=0",
      "page=-1",
      "page=abc",
      "page=1.5",
      "pageSize=0",
      "pageSize=101",
      "pageSize=abc",
    ]) {
      const answer = await api("GET", `/links?${query}`);
      await rejection(answer, 422, { what: query });
    }
    assert.equal((await api("GET", "/links?page=1&pageSize=100")).status, 200);
    assert.equal((await api("GET", "/links?page=100&pageSize=1")).status, 200);
  });

  test("a page beyond 100 is 422 in Dub's words, pointing to the cursors", async () => {
    await rejection(await api("GET", "/links?page=101&pageSize=10"), 422, {
      message: "Page is too big (cannot be more than 100), recommend using cursor-based pagination instead.",
    });
  });

  test("startingAfter and endingBefore page from a link of the workspace, in the listing's order", async () => {
    const { key } = await server.newWorkspace();
    const sdk = server.sdk(key);
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await sdk.links.create({ url: `https://example.com/cursor/${i}` }));
    const own = (method: string, path: string) => apiCall(server.origin, key, method, path);
    const ids = async (query: string) => {
      const answer = await own("GET", `/links?${query}`);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return (answer.body as { id: string }[]).map((link) => link.id);
    };
    const newestFirst = await ids("pageSize=100");
    assert.deepEqual([...newestFirst].sort(), made.map((link) => link.id).sort());
    assert.deepEqual(await ids(`pageSize=2&startingAfter=${newestFirst[1]}`), newestFirst.slice(2, 4));
    assert.deepEqual(await ids(`pageSize=2&endingBefore=${newestFirst[3]}`), newestFirst.slice(1, 3));
    assert.deepEqual(await ids(`pageSize=2&endingBefore=${newestFirst[1]}`), newestFirst.slice(0, 1));
    assert.deepEqual(await ids(`pageSize=10&startingAfter=${newestFirst[4]}`), []);
    const oldestFirst = [...newestFirst].reverse();
    assert.deepEqual(
      await ids(`sortOrder=asc&pageSize=3&startingAfter=${oldestFirst[0]}`),
      oldestFirst.slice(1, 4),
    );
    // Via the SDK, which sends the cursor as it is.
    const page = await sdk.links.list({ pageSize: 2, startingAfter: newestFirst[2] });
    assert.deepEqual(
      page.result.map((link) => link.id),
      newestFirst.slice(3, 5),
    );

    // A cursor that names no link of this workspace (another workspace's included) has an empty page, as in Dub;
    // `page` does not count beside it.
    const elsewhere = (await dub.links.create({ url: "https://example.com/elsewhere" })).id;
    for (const query of [
      "startingAfter=link_unknown",
      "endingBefore=link_unknown&page=2",
      `endingBefore=${elsewhere}`,
      `startingAfter=${elsewhere}`,
    ]) {
      assert.deepEqual(await ids(query), [], query);
    }
    // An empty cursor is a 422; both cursors at once too, in Dub's words.
    await rejection(await own("GET", "/links?startingAfter="), 422);
    await rejection(
      await own("GET", `/links?startingAfter=${newestFirst[0]}&endingBefore=${newestFirst[4]}`),
      422,
      {
        message: "You cannot use both startingAfter and endingBefore at the same time.",
      },
    );
  });
});

describe("GET /links sortBy leads and sales (the dashboard's columns, beside Dub's four)", () => {
  test("orders by the link's lead and sale counts, either way; an unknown order is 422", async () => {
    const { key } = await server.newWorkspace();
    const sdk = server.sdk(key);
    const made: Record<string, string> = {};
    // name → [leads, sales]
    const plan: Record<string, [number, number]> = { none: [0, 0], many: [2, 1], one: [1, 2] };
    for (const [name, [leads, sales]] of Object.entries(plan)) {
      const link = await sdk.links.create({ url: `https://example.com/sort/${name}`, trackConversion: true });
      made[link.id] = name;
      const customers: string[] = [];
      for (let i = 0; i < leads; i++) {
        const clickId = await clickIdAt(server.origin, link.key);
        customers.push(unique(`sort-${name}`));
        await sdk.track.lead({ clickId, eventName: "Sign up", customerExternalId: customers[i] as string });
      }
      for (let i = 0; i < sales; i++) {
        const customerExternalId = customers[i % customers.length] as string;
        await sdk.track.sale({ customerExternalId, amount: 1000, eventName: "Purchase" });
      }
    }
    const names = async (query: string) => {
      const answer = await apiCall(server.origin, key, "GET", `/links?${query}`);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return (answer.body as { id: string }[]).map((link) => made[link.id]);
    };
    assert.deepEqual(await names("sortBy=leads"), ["many", "one", "none"]);
    assert.deepEqual(await names("sortBy=leads&sortOrder=asc"), ["none", "one", "many"]);
    assert.deepEqual(await names("sortBy=sales"), ["one", "many", "none"]);
    const none = Object.keys(made).find((id) => made[id] === "none");
    assert.deepEqual(await names(`sortBy=sales&sortOrder=asc&pageSize=1&startingAfter=${none}`), ["many"]);
    await rejection(await apiCall(server.origin, key, "GET", "/links?sortBy=conversions"), 422);
  });
});
