// The Links API through the official `dub` SDK: create, get (/links/info), list, update, upsert, delete, validation.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Dub } from "dub";
import { LinkSchema$inboundSchema } from "dub/models/components";
import { Forbidden } from "dub/models/errors";
import { rejection } from "../helpers/rejection.js";
import { BROWSER_UA, requestWithHost, startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
let dub: Dub;

before(async () => {
  server = await startServer();
  dub = server.sdk();
});
after(() => server.stop());

type LinkRow = Record<string, unknown>;
const row = (id: string) => server.one<LinkRow>("select * from links where id = ?", id);

/** A fresh workspace so list assertions see only the links made for them. */
async function isolatedSdk(): Promise<Dub> {
  const { key } = await server.newWorkspace();
  return server.sdk(key);
}

const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

describe("create", () => {
  test("with a given key: the defaults of a complete Link", async () => {
    const started = Date.now();
    const link = await dub.links.create({ url: "https://example.com/landing?x=1", key: "given-key" });

    assert.match(link.id, /^link_[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.equal(link.key, "given-key");
    assert.equal(link.url, "https://example.com/landing?x=1");
    assert.equal(link.domain, server.host);
    assert.equal(link.shortLink, `http://${server.host}/given-key`);
    assert.equal(link.workspaceId, server.workspaceId);
    assert.equal(link.projectId, server.workspaceId.replace(/^ws_/, ""));
    assert.ok(link.qrCode.startsWith("http"), link.qrCode);
    assert.ok(link.qrCode.includes(encodeURIComponent(`${link.shortLink}?qr=1`)), link.qrCode);

    for (const nullable of [
      "externalId",
      "tenantId",
      "programId",
      "partnerId",
      "expiresAt",
      "expiredUrl",
      "disabledAt",
      "password",
      "title",
      "description",
      "image",
      "video",
      "ios",
      "android",
      "geo",
      "folderId",
      "comments",
      "utmSource",
      "utmMedium",
      "utmCampaign",
      "utmTerm",
      "utmContent",
      "userId",
      "lastClicked",
      "tagId",
    ] as const) {
      assert.equal(link[nullable], null, `${nullable} should be null`);
    }
    assert.deepEqual(link.tags, []);
    assert.deepEqual(link.webhookIds, []);
    assert.equal(link.trackConversion, false);
    assert.equal(link.archived, false);
    assert.equal(link.proxy, false);
    assert.equal(link.rewrite, false);
    assert.equal(link.doIndex, false);
    assert.equal(link.publicStats, false);
    assert.deepEqual(
      [link.clicks, link.leads, link.conversions, link.sales, link.saleAmount],
      [0, 0, 0, 0, 0],
    );

    const created = Date.parse(link.createdAt);
    assert.equal(new Date(created).toISOString(), link.createdAt, "createdAt is an ISO string");
    assert.ok(created >= started - 1000 && created <= Date.now() + 1000, link.createdAt);
    assert.equal(link.updatedAt, link.createdAt);

    const stored = await row(link.id);
    assert.ok(stored, "the link is committed");
    assert.equal(stored.workspace_id, server.workspaceId);
    assert.equal(stored.domain, server.host);
    assert.equal(stored.key, "given-key");
    assert.equal(stored.url, "https://example.com/landing?x=1");
  });

  test("the raw JSON has every key the SDK's Link schema declares, nullable ones as null", async () => {
    const response = await fetch(`${server.origin}/api/links`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.key}`, "content-type": "application/json" },
      body: JSON.stringify({ url: "https://example.com/raw" }),
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
    const body = (await response.json()) as Record<string, unknown>;

    for (const key of [
      "password",
      "geo",
      "ios",
      "android",
      "video",
      "externalId",
      "tenantId",
      "programId",
      "partnerId",
      "expiresAt",
      "expiredUrl",
      "disabledAt",
      "folderId",
      "tagId",
      "userId",
      "lastClicked",
      "comments",
      "utm_source",
      "utm_medium",
      "utm_campaign",
      "utm_term",
      "utm_content",
    ]) {
      assert.ok(Object.hasOwn(body, key), `raw JSON lacks "${key}"`);
      assert.equal(body[key], null, `"${key}" should be null`);
    }
    assert.deepEqual(body.tags, []);
    assert.deepEqual(body.webhookIds, []);

    // Every key the SDK requires (neither optional nor defaulted) is present.
    const shape = (
      LinkSchema$inboundSchema as unknown as {
        _def: { schema: { shape: Record<string, { _def: { typeName: string } }> } };
      }
    )._def.schema.shape;
    const required = Object.entries(shape)
      .filter(([, schema]) => !["ZodOptional", "ZodDefault"].includes(schema._def.typeName))
      .map(([key]) => key);
    assert.ok(required.length > 30, `found ${required.length} required keys`);
    const missing = required.filter((key) => !Object.hasOwn(body, key));
    assert.deepEqual(missing, []);
  });

  test("without a key: a random key of 7 characters from [0-9A-Za-z]", async () => {
    const links = await Promise.all(
      Array.from({ length: 6 }, (_, i) => dub.links.create({ url: `https://example.com/random/${i}` })),
    );
    for (const link of links) {
      assert.match(link.key, /^[0-9A-Za-z]{7}$/);
      assert.equal(link.shortLink, `http://${server.host}/${link.key}`);
      assert.equal((await row(link.id))?.key, link.key);
    }
    assert.equal(new Set(links.map((link) => link.key)).size, links.length, "keys are distinct");
  });

  test("a domain is lower-cased and used in shortLink", async () => {
    const link = await dub.links.create({
      url: "https://example.com/d",
      domain: "Go.Example.COM",
      key: "dom-1",
    });
    assert.equal(link.domain, "go.example.com");
    assert.equal(link.shortLink, "http://go.example.com/dom-1");
  });

  test("externalId: a leading ext_ is stripped, it is unique per workspace and reusable in another", async () => {
    const externalId = unique("order");
    const link = await dub.links.create({ url: "https://example.com/ext", externalId: `ext_${externalId}` });
    assert.equal(link.externalId, externalId);
    assert.equal((await row(link.id))?.external_id, externalId);

    for (const again of [externalId, `ext_${externalId}`]) {
      const error = await rejection(
        dub.links.create({ url: "https://example.com/ext2", externalId: again }),
        409,
      );
      assert.match(error.message, new RegExp(externalId));
    }
    const count = await server.one<{ n: number }>(
      "select count(*) as n from links where external_id = ?",
      externalId,
    );
    assert.equal(Number(count?.n), 1, "the refused links were not stored");

    // Nothing is left after the prefix: refused rather than stored as an empty id.
    for (const empty of ["ext_", " ext_ ", ""]) {
      const error = await rejection(
        dub.links.create({ url: "https://example.com/ext-empty", externalId: empty }),
        422,
      );
      assert.match(error.message, /externalId/);
    }

    const other = await isolatedSdk();
    const theirs = await other.links.create({
      url: "https://example.com/ext",
      externalId: `ext_${externalId}`,
    });
    assert.equal(theirs.externalId, externalId);
    assert.notEqual(theirs.id, link.id);
  });

  test("tenantId, utm_* (utmSource…), title, comments, trackConversion and expiresAt round-trip", async () => {
    const expiresAt = "2031-05-06T07:08:09.000Z";
    const input = {
      url: "https://example.com/utm",
      key: unique("utm"),
      tenantId: "tenant-42",
      utmSource: "newsletter",
      utmMedium: "email",
      utmCampaign: "spring",
      utmTerm: "shoes",
      utmContent: "hero",
      title: "A title",
      description: "A description",
      comments: "internal note",
      trackConversion: true,
      expiresAt,
      expiredUrl: "https://example.com/expired",
    };
    const created = await dub.links.create(input);
    const fetched = await dub.links.get({ linkId: created.id });
    for (const link of [created, fetched]) {
      assert.equal(link.tenantId, "tenant-42");
      assert.equal(link.utmSource, "newsletter");
      assert.equal(link.utmMedium, "email");
      assert.equal(link.utmCampaign, "spring");
      assert.equal(link.utmTerm, "shoes");
      assert.equal(link.utmContent, "hero");
      assert.equal(link.title, "A title");
      assert.equal(link.description, "A description");
      assert.equal(link.comments, "internal note");
      assert.equal(link.trackConversion, true);
      assert.equal(link.expiresAt, expiresAt);
      assert.equal(link.expiredUrl, "https://example.com/expired");
    }
    const stored = await row(created.id);
    assert.ok(stored);
    assert.equal(stored.tenant_id, "tenant-42");
    assert.equal(stored.utm_source, "newsletter");
    assert.equal(stored.utm_content, "hero");
    assert.equal(stored.track_conversion, 1);
    assert.equal(stored.expires_at, Date.parse(expiresAt));

    // A date with an offset is stored as the same instant.
    const offset = await dub.links.create({
      url: "https://example.com/tz",
      expiresAt: "2031-05-06T09:08:09+02:00",
    });
    assert.equal(offset.expiresAt, expiresAt);
  });
});

describe("get (GET /links/info)", () => {
  test("by linkId, by domain and key, by key alone, and by externalId (with or without ext_)", async () => {
    const externalId = unique("get");
    const key = unique("get");
    const link = await dub.links.create({ url: "https://example.com/get", key, externalId });

    const lookups = [
      { linkId: link.id },
      { domain: server.host, key },
      { domain: server.host.toUpperCase(), key },
      { key },
      { externalId },
      { externalId: `ext_${externalId}` },
    ];
    for (const lookup of lookups) {
      const found = await dub.links.get(lookup);
      assert.equal(found.id, link.id, JSON.stringify(lookup));
      assert.deepEqual(found, link, JSON.stringify(lookup));
    }
  });

  test("an unknown link is NotFound, a lookup without parameters is BadRequest", async () => {
    for (const lookup of [
      { linkId: "link_00000000000000000000000000" },
      { domain: server.host, key: "no-such-key" },
      { domain: "other.example.com", key: "given-key" },
      { externalId: "no-such-external-id" },
    ]) {
      await rejection(dub.links.get(lookup), 404);
    }
    await rejection(dub.links.get({}), 400);
  });
});

describe("list", () => {
  test("filters by domain, search and tenantId", async () => {
    const sdk = await isolatedSdk();
    const a = await sdk.links.create({
      url: "https://shop.example.com/needle-1",
      domain: "go.acme.test",
      tenantId: "t1",
    });
    const b = await sdk.links.create({
      url: "https://shop.example.com/other",
      domain: "go.acme.test",
      key: "haystack-needle",
    });
    const c = await sdk.links.create({ url: "https://blog.example.com/post", tenantId: "t1" });
    const d = await sdk.links.create({ url: "https://blog.example.com/NEEDLE-upper", tenantId: "t2" });
    // Another workspace's links never show up.
    await dub.links.create({ url: "https://shop.example.com/needle-foreign", tenantId: "t1" });

    const ids = async (request: Parameters<Dub["links"]["list"]>[0]) =>
      new Set((await sdk.links.list(request)).result.map((link) => link.id));

    assert.deepEqual(await ids({}), new Set([a.id, b.id, c.id, d.id]));
    assert.deepEqual(await ids({ domain: "go.acme.test" }), new Set([a.id, b.id]));
    assert.deepEqual(await ids({ domain: server.host }), new Set([c.id, d.id]));
    assert.deepEqual(await ids({ domain: "nowhere.test" }), new Set());
    assert.deepEqual(
      await ids({ search: "needle" }),
      new Set([a.id, b.id, d.id]),
      "search matches url or key, any case",
    );
    assert.deepEqual(await ids({ search: "blog" }), new Set([c.id, d.id]));
    assert.deepEqual(await ids({ search: "%" }), new Set(), "LIKE wildcards are literal");
    assert.deepEqual(await ids({ tenantId: "t1" }), new Set([a.id, c.id]));
    assert.deepEqual(await ids({ tenantId: "t1", domain: "go.acme.test" }), new Set([a.id]));
  });

  test("pages with page and pageSize, newest first; the SDK iterates every page", async () => {
    const sdk = await isolatedSdk();
    const created = [];
    for (let i = 0; i < 5; i++)
      created.push(await sdk.links.create({ url: `https://example.com/page/${i}` }));

    const page1 = (await sdk.links.list({ page: 1, pageSize: 2 })).result;
    const page2 = (await sdk.links.list({ page: 2, pageSize: 2 })).result;
    const page3 = (await sdk.links.list({ page: 3, pageSize: 2 })).result;
    const page4 = (await sdk.links.list({ page: 4, pageSize: 2 })).result;
    assert.deepEqual([page1.length, page2.length, page3.length, page4.length], [2, 2, 1, 0]);
    const all = [...page1, ...page2, ...page3];
    assert.deepEqual(new Set(all.map((link) => link.id)), new Set(created.map((link) => link.id)));
    assert.equal(new Set(all.map((link) => link.id)).size, 5, "no link on two pages");
    for (let i = 1; i < all.length; i++) {
      assert.ok(all[i - 1].createdAt >= all[i].createdAt, "sorted by createdAt, newest first");
    }

    const iterated: string[] = [];
    let pages = 0;
    for await (const page of await sdk.links.list({ pageSize: 2 })) {
      pages++;
      iterated.push(...page.result.map((link) => link.id));
    }
    assert.equal(pages, 3);
    assert.deepEqual(
      iterated,
      all.map((link) => link.id),
    );

    assert.equal((await sdk.links.list({ pageSize: 100 })).result.length, 5);
    assert.equal((await sdk.links.list()).result.length, 5, "the default page size is 100");
  });

  test("pageSize over 100 is UnprocessableEntity", async () => {
    const error = await rejection(dub.links.list({ pageSize: 101 }), 422);
    assert.match(error.message, /^too_big: pageSize: /);
    await rejection(dub.links.list({ pageSize: 0 }), 422);
    await rejection(dub.links.list({ page: 0 }), 422);
  });

  test("archived links are hidden unless showArchived", async () => {
    const sdk = await isolatedSdk();
    const live = await sdk.links.create({ url: "https://example.com/live" });
    const archived = await sdk.links.create({ url: "https://example.com/archived", archived: true });
    assert.equal(archived.archived, true);

    const ids = async (showArchived?: boolean) =>
      new Set(
        (await sdk.links.list(showArchived === undefined ? {} : { showArchived })).result.map(
          (link) => link.id,
        ),
      );
    assert.deepEqual(await ids(), new Set([live.id]));
    assert.deepEqual(await ids(false), new Set([live.id]));
    assert.deepEqual(await ids(true), new Set([live.id, archived.id]));
    // An archived link is still found directly.
    assert.equal((await sdk.links.get({ linkId: archived.id })).archived, true);

    const restored = await sdk.links.update(archived.id, { archived: false });
    assert.equal(restored.archived, false);
    assert.deepEqual(await ids(), new Set([live.id, archived.id]));
  });
});

describe("update (PATCH /links/:id)", () => {
  test("changes url and key, keeps the rest, and moves the short link", async () => {
    const oldKey = unique("old");
    const newKey = unique("new");
    const link = await dub.links.create({
      url: "https://example.com/before",
      key: oldKey,
      tenantId: "keep-me",
      utmSource: "x",
    });
    await new Promise((resolve) => setTimeout(resolve, 5));

    const updated = await dub.links.update(link.id, { url: "https://example.com/after", key: newKey });
    assert.equal(updated.id, link.id);
    assert.equal(updated.url, "https://example.com/after?utm_source=x");
    assert.equal(updated.key, newKey);
    assert.equal(updated.shortLink, `http://${server.host}/${newKey}`);
    assert.equal(updated.tenantId, "keep-me");
    assert.equal(updated.utmSource, "x", "the link's UTM values are kept in the new URL, as Dub keeps them");
    assert.equal(updated.createdAt, link.createdAt);
    assert.ok(Date.parse(updated.updatedAt) > Date.parse(link.updatedAt), "updatedAt moves forward");

    assert.deepEqual(await dub.links.get({ linkId: link.id }), updated);
    assert.equal((await dub.links.get({ key: newKey })).id, link.id);
    await rejection(dub.links.get({ key: oldKey }), 404);
    const stored = await row(link.id);
    assert.equal(stored?.url, "https://example.com/after?utm_source=x");
    assert.equal(stored?.key, newKey);

    // The old key is free again.
    const reuse = await dub.links.create({ url: "https://example.com/reuse", key: oldKey });
    assert.notEqual(reuse.id, link.id);
  });

  test("null clears a field; externalId is normalised", async () => {
    const link = await dub.links.create({ url: "https://example.com/clear", tenantId: "t", title: "T" });
    const updated = await dub.links.update(link.id, {
      tenantId: null,
      title: null,
      externalId: `ext_${unique("patch")}`,
    });
    assert.equal(updated.tenantId, null);
    assert.equal(updated.title, null);
    assert.doesNotMatch(updated.externalId ?? "", /^ext_/);
    assert.equal((await row(link.id))?.tenant_id, null);
  });

  test("a key already in use is Conflict and changes nothing", async () => {
    const taken = await dub.links.create({ url: "https://example.com/taken", key: unique("taken") });
    const link = await dub.links.create({ url: "https://example.com/mine", key: unique("mine") });
    const before = await row(link.id);

    const error = await rejection(
      dub.links.update(link.id, { key: taken.key, url: "https://example.com/changed" }),
      409,
    );
    assert.match(error.message, new RegExp(taken.key));
    assert.deepEqual(await row(link.id), before);
    assert.deepEqual(await dub.links.get({ linkId: link.id }), link);
  });

  test("invalid changes are UnprocessableEntity and change nothing; an unknown id is NotFound", async () => {
    const link = await dub.links.create({ url: "https://example.com/valid" });
    await rejection(dub.links.update(link.id, { url: "javascript:alert(1)" }), 422);
    await rejection(dub.links.update(link.id, { key: "api" }), 422);
    await rejection(dub.links.update(link.id, { geo: { USA: "https://example.com/us" } }), 422);
    assert.deepEqual(await dub.links.get({ linkId: link.id }), link);
    await rejection(
      dub.links.update("link_00000000000000000000000000", { url: "https://example.com/x" }),
      404,
    );
  });
});

describe("ext_<externalId> in place of a link id (as the SDK documents for update and delete)", () => {
  test("update and delete accept ext_<externalId>", async () => {
    const externalId = unique("path");
    const link = await dub.links.create({ url: "https://example.com/by-ext", externalId });
    const updated = await dub.links.update(`ext_${externalId}`, { url: "https://example.com/by-ext-2" });
    assert.equal(updated.id, link.id);
    assert.equal(updated.url, "https://example.com/by-ext-2");
    assert.equal((await row(link.id))?.url, "https://example.com/by-ext-2");

    await rejection(dub.links.update("ext_no-such-external-id", { url: "https://example.com/x" }), 404);
    assert.deepEqual(await dub.links.delete(`ext_${externalId}`), { id: link.id });
    assert.equal(await row(link.id), undefined);
  });
});

describe("upsert (PUT /links/upsert)", () => {
  test("the same URL updates the existing link; a new URL creates one", async () => {
    const sdk = await isolatedSdk();
    const url = `https://example.com/upsert/${unique("u")}`;
    const first = await sdk.links.upsert({ url, title: "first" });
    assert.equal(first.url, url);
    assert.equal(first.title, "first");

    const same = await sdk.links.upsert({ url, title: "second", tenantId: "tt" });
    assert.equal(same.id, first.id, "the existing link is updated");
    assert.equal(same.title, "second");
    assert.equal(same.tenantId, "tt");
    assert.equal(same.key, first.key);

    const unchanged = await sdk.links.upsert({ url });
    assert.equal(unchanged.id, first.id);
    assert.equal(unchanged.title, "second");

    const other = await sdk.links.upsert({ url: `${url}/other` });
    assert.notEqual(other.id, first.id, "a new URL creates a link");
    assert.equal(other.url, `${url}/other`);

    assert.equal((await sdk.links.list()).result.length, 2);
  });

  test("upsert validates like create", async () => {
    await rejection(dub.links.upsert({ url: "data:text/html,hi" }), 422);
    await rejection(dub.links.upsert({ url: "https://example.com/upsert-reserved", key: "healthz" }), 422);
  });
});

describe("delete", () => {
  test("returns the id; the link is gone and its key free", async () => {
    const key = unique("del");
    const link = await dub.links.create({ url: "https://example.com/delete", key });
    const result = await dub.links.delete(link.id);
    assert.deepEqual(result, { id: link.id });
    assert.equal(await row(link.id), undefined);

    await rejection(dub.links.get({ linkId: link.id }), 404);
    await rejection(dub.links.get({ key }), 404);
    await rejection(dub.links.delete(link.id), 404);
    await rejection(dub.links.update(link.id, { url: "https://example.com/zombie" }), 404);

    const again = await dub.links.create({ url: "https://example.com/delete", key });
    assert.notEqual(again.id, link.id);
  });
});

describe("validation", () => {
  test("javascript:, data: and other non-web URLs are UnprocessableEntity", async () => {
    for (const url of [
      "javascript:alert(document.cookie)",
      "JavaScript:alert(1)",
      "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
      "vbscript:msgbox(1)",
      "file:///etc/passwd",
      "ftp://example.com/file",
      "not a url",
      "/relative/path",
    ]) {
      await rejection(dub.links.create({ url, key: unique("bad") }), 422, {
        message: "Invalid destination URL",
        what: url,
      });
    }
    await rejection(
      dub.links.create({ url: "https://example.com/ok", expiredUrl: "javascript:alert(1)" }),
      422,
    );
    const count = await server.one<{ n: number }>(
      "select count(*) as n from links where url not like 'http%'",
    );
    assert.equal(Number(count?.n), 0, "nothing was stored");
  });

  test("reserved keys are refused with 422", async () => {
    for (const key of ["api", "healthz", "app", "metrics", "API", "Healthz"]) {
      const error = await rejection(dub.links.create({ url: "https://example.com/reserved", key }), 422);
      assert.match(error.message, /key/, key);
    }
    for (const key of ["a//b", "/a", "a/./b", "with space", "q?x", "frag#x", "100%"]) {
      await rejection(dub.links.create({ url: "https://example.com/reserved", key }), 422);
    }
    const count = await server.one<{ n: number }>(
      "select count(*) as n from links where url = 'https://example.com/reserved'",
    );
    assert.equal(Number(count?.n), 0);
  });

  test("a key with a lone surrogate is refused with 400 on create, upsert and update, and nothing is stored", async () => {
    // Found by the fuzz suite: such a key passed validation, then presenting the link (encodeURIComponent) threw: 500.
    // The edge refuses lone surrogates in any body (ADR 13).
    const send = (method: string, path: string, body: string) =>
      fetch(`${server.origin}/api${path}`, {
        method,
        headers: { authorization: `Bearer ${server.key}`, "content-type": "application/json" },
        body,
      });
    const link = await dub.links.create({ url: "https://example.com/renamed-by-surrogates" });
    for (const key of ["lone\\ud800", "\\udfff", "a\\udc00b"]) {
      const url = `https://example.com/surrogate-${key.length}`;
      for (const [method, path, body] of [
        ["POST", "/links", `{"url":"${url}","key":"${key}"}`],
        ["PUT", "/links/upsert", `{"url":"${url}","key":"${key}"}`],
        ["PATCH", `/links/${link.id}`, `{"key":"${key}"}`],
      ]) {
        await rejection(send(method, path, body), 400, {
          message: /lone surrogate/,
          what: `${method} ${path} ${body}`,
        });
      }
    }
    const stored = await server.one<{ n: number }>(
      "select count(*) as n from links where url like 'https://example.com/surrogate-%'",
    );
    assert.equal(Number(stored?.n), 0);
    assert.equal((await row(link.id))?.key, link.key, "the update changed nothing");
  });

  test("a duplicate domain and key is Conflict, in any workspace; another domain may reuse the key", async () => {
    const key = unique("dup");
    const first = await dub.links.create({ url: "https://example.com/dup", key });
    const error = await rejection(dub.links.create({ url: "https://example.com/dup2", key }), 409);
    assert.match(error.message, new RegExp(key));
    await rejection(dub.links.create({ url: "https://example.com/dup3", key, domain: server.host }), 409);

    const other = await isolatedSdk();
    await rejection(other.links.create({ url: "https://example.com/dup4", key }), 409);

    const elsewhere = await dub.links.create({
      url: "https://example.com/dup5",
      key,
      domain: "elsewhere.test",
    });
    assert.equal(elsewhere.key, key);
    assert.equal((await dub.links.get({ key })).id, first.id);
  });

  test("smart options left out, null or false mean none", async () => {
    const link = await dub.links.create({
      url: "https://example.com/plain",
      password: null,
      geo: null,
      ios: null,
      testVariants: null,
      tagIds: [],
      proxy: false,
      folderId: null,
    });
    assert.equal(link.password, null);
    assert.equal(link.geo, null);
    assert.equal(link.ios, null);
    assert.equal(link.testVariants, null);
    assert.equal(link.proxy, false);
  });
});

describe("UTM fields live in the destination URL", () => {
  let utmServer: TestServer;
  before(async () => {
    utmServer = await startServer();
  });
  after(() => utmServer.stop());

  test("fields given on create are written into the URL and reach the click", async () => {
    const dub = utmServer.sdk();
    const link = await dub.links.create({
      url: "https://example.com/sale?ref=1",
      key: "utm",
      utmSource: "newsletter",
      utmCampaign: "spring",
    });
    const url = new URL(link.url);
    assert.equal(url.searchParams.get("utm_source"), "newsletter");
    assert.equal(url.searchParams.get("utm_campaign"), "spring");
    assert.equal(url.searchParams.get("ref"), "1");
    assert.equal(link.utmSource, "newsletter");

    const response = await fetch(`${utmServer.origin}/utm`, {
      redirect: "manual",
      headers: { "user-agent": BROWSER_UA },
    });
    assert.equal(
      new URL(response.headers.get("location") ?? "").searchParams.get("utm_source"),
      "newsletter",
    );
    const click = await utmServer.one(
      "select utm_source, utm_campaign from clicks where link_id = ?",
      link.id,
    );
    assert.deepEqual(click, { utm_source: "newsletter", utm_campaign: "spring" });
  });

  test("UTM parameters already in the URL fill the fields; null on update removes one", async () => {
    const dub = utmServer.sdk();
    const link = await dub.links.create({
      url: "https://example.com/?utm_medium=email&utm_term=shoes",
      key: "utm2",
    });
    assert.equal(link.utmMedium, "email");
    assert.equal(link.utmTerm, "shoes");
    const updated = await dub.links.update(link.id, { utmMedium: null, utmContent: "hero" });
    assert.equal(updated.utmMedium, null);
    assert.equal(updated.utmTerm, "shoes");
    assert.equal(updated.utmContent, "hero");
    assert.equal(new URL(updated.url).searchParams.get("utm_medium"), null);
    assert.equal(new URL(updated.url).searchParams.get("utm_content"), "hero");
  });

  test("upsert with UTM fields finds the link it created before", async () => {
    const dub = utmServer.sdk();
    const first = await dub.links.upsert({ url: "https://example.com/upsert-utm", utmSource: "ads" });
    const second = await dub.links.upsert({ url: "https://example.com/upsert-utm", utmSource: "ads" });
    assert.equal(second.id, first.id);
  });
});

describe("custom domains belong to one workspace", () => {
  const domain = () => `${unique("go")}.owned.test`;
  const visitOn = (host: string, key: string) => requestWithHost(server, `/${key}`, host);

  test("another workspace can neither add a link to a domain in use nor move a link onto it", async () => {
    const owner = await isolatedSdk();
    const intruder = await isolatedSdk();
    const host = domain();
    await owner.links.create({ url: "https://owner.example/a", domain: host, key: "a" });

    const refused = await rejection(
      intruder.links.create({ url: "https://evil.example/", domain: host, key: "b" }),
      403,
    );
    assert.equal(refused.message, "Domain does not belong to workspace.", "Dub's words");
    assert.equal((await visitOn(host, "b")).status, 404, "visitors of the domain never reach the intruder");

    const own = await intruder.links.create({ url: "https://evil.example/", key: unique("own") });
    await rejection(intruder.links.update(own.id, { domain: host, key: "c" }), 403);
    await rejection(
      intruder.links.upsert({ url: "https://evil.example/upsert", domain: host, key: "d" }),
      403,
    );
    const rows = await server.query<{ workspace_id: string }>(
      "select distinct workspace_id from links where domain = ?",
      host,
    );
    assert.equal(rows.length, 1, "only the owner's links are on the domain");

    const more = await owner.links.create({ url: "https://owner.example/e", domain: host, key: "e" });
    assert.equal(more.domain, host, "the owner keeps adding links");
  });

  test("the first workspace to use a fresh domain owns it, also when many race for it", async () => {
    const host = domain();
    const racers = await Promise.all(Array.from({ length: 8 }, () => isolatedSdk()));
    const outcomes = await Promise.allSettled(
      racers.map((sdk, i) =>
        sdk.links.create({ url: `https://racer.example/${i}`, domain: host, key: `r${i}` }),
      ),
    );
    const won = outcomes.filter((outcome) => outcome.status === "fulfilled");
    assert.equal(won.length, 1, "exactly one workspace got the domain");
    for (const outcome of outcomes) {
      if (outcome.status === "rejected")
        assert.ok(outcome.reason instanceof Forbidden, String(outcome.reason));
    }
    const owners = await server.query<{ workspace_id: string }>(
      "select workspace_id from domains where slug = ?",
      host,
    );
    const linkOwners = await server.query<{ workspace_id: string }>(
      "select distinct workspace_id from links where domain = ?",
      host,
    );
    assert.deepEqual(linkOwners, owners);
  });

  test("a domain whose links predate owners is claimed by their workspace, refused to any other", async () => {
    const owner = await isolatedSdk();
    const intruder = await isolatedSdk();
    const host = domain();
    const link = await owner.links.create({ url: "https://owner.example/", domain: host });
    await server.storage.db.deleteFrom("domains").where("slug", "=", host).execute();

    await rejection(intruder.links.create({ url: "https://evil.example/", domain: host }), 403);
    assert.equal((await server.query("select * from domains where slug = ?", host)).length, 0);
    await owner.links.create({ url: "https://owner.example/2", domain: host });
    const [claimed] = await server.query<{ workspace_id: string }>(
      "select workspace_id from domains where slug = ?",
      host,
    );
    assert.equal(claimed.workspace_id, link.workspaceId);
  });

  test("the default short domain is shared by every workspace", async () => {
    const [one, two] = [await isolatedSdk(), await isolatedSdk()];
    const a = await one.links.create({ url: "https://one.example/" });
    const b = await two.links.create({ url: "https://two.example/", domain: server.host });
    assert.equal(a.domain, server.host);
    assert.equal(b.domain, server.host);
    assert.equal((await server.query("select * from domains where slug = ?", server.host)).length, 0);
  });
});

describe("Dub's other /links routes", () => {
  test("/links/random, /links/metatags and /links/sharing are route-level 404s, not 'Link not found'", async () => {
    for (const [method, path] of [
      ["GET", "/links/random"],
      ["POST", "/links/sharing"],
      ["GET", "/links/metatags"],
    ]) {
      const answer = fetch(`${server.origin}/api${path}`, {
        method,
        headers: { authorization: `Bearer ${server.key}`, "content-type": "application/json" },
        body: method === "GET" || method === "DELETE" ? undefined : "[]",
      });
      await rejection(answer, 404, { message: `No route ${method} ${path}.`, what: `${method} ${path}` });
    }
  });
});
