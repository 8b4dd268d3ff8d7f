// Authentication, authorization, tenancy and rate limits: each SDK error class from the situation that causes it.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Dub } from "dub";
import { HTTPClient } from "dub/lib/http.js";
import { rejection } from "../helpers/rejection.js";
import { startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
let limited: TestServer;

before(async () => {
  [server, limited] = await Promise.all([startServer(), startServer({ RATE_LIMIT_PER_MINUTE: "3" })]);
});
after(async () => {
  await Promise.all([server?.stop(), limited?.stop()]);
});

const api = (target: TestServer, path: string, init: RequestInit = {}) =>
  fetch(`${target.origin}/api${path}`, init);
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/**
 * A client whose requests carry exactly `authorization`, or none for `null`
 * (the SDK itself always writes "Bearer <token>" and refuses to run without a token).
 */
function sdkWithAuthorization(target: TestServer, authorization: string | null): Dub {
  const httpClient = new HTTPClient();
  httpClient.addHook("beforeRequest", (request) => {
    const next = new Request(request);
    if (authorization === null) next.headers.delete("authorization");
    else next.headers.set("authorization", authorization);
    return next;
  });
  return new Dub({ token: "ignored", serverURL: `${target.origin}/api`, httpClient });
}

const linkRow = (target: TestServer, id: string) => target.one("select * from links where id = ?", id);

describe("BadRequest (400)", () => {
  test("an Authorization header without 'Bearer '", async () => {
    for (const authorization of [
      server.key,
      `Basic ${server.key}`,
      `Token ${server.key}`,
      `bearer${server.key}`,
    ]) {
      const answer = api(server, "/links", { headers: { authorization } });
      await rejection(answer, 400, { message: /Bearer /, what: authorization });
    }

    const error = await rejection(sdkWithAuthorization(server, server.key).links.list(), 400);
    assert.match(error.message, /Misconfigured authorization header/);
  });
});

describe("Unauthorized (401)", () => {
  test("an unknown key", async () => {
    for (const token of ["dub_000000000000000000000000", "not-even-a-dub-key", `${server.key}x`]) {
      const error = await rejection(server.sdk(token).links.list(), 401);
      assert.equal(error.message, "Unauthorized: Invalid API key.");
    }
  });

  test("a revoked key stops working at once", async () => {
    const created = await server.services.workspaces.createKey({
      workspaceId: server.workspaceId,
      name: "to revoke",
    });
    const sdk = server.sdk(created.key);
    await sdk.links.list();
    await server.services.workspaces.revokeKey(created.id);
    const error = await rejection(sdk.links.list(), 401);
    assert.equal(error.message, "Unauthorized: Invalid API key.");
    await rejection(sdk.links.create({ url: "https://example.com/revoked" }), 401);
    // Other keys of the workspace are unaffected.
    await server.sdk().links.list();
  });

  test("a missing Authorization header", async () => {
    for (const [method, path] of [
      ["GET", "/links"],
      ["POST", "/links"],
      ["GET", "/links/info?key=x"],
      ["DELETE", "/links/link_x"],
    ]) {
      await rejection(api(server, path, { method }), 401, {
        message: "Missing Authorization header.",
        what: `${method} ${path}`,
      });
    }
    const error = await rejection(sdkWithAuthorization(server, null).links.list(), 401);
    assert.equal(error.message, "Missing Authorization header.");
  });
});

describe("Forbidden (403)", () => {
  test("a links.read key may read but not write; the message names the missing scope", async () => {
    const owner = server.sdk();
    const existing = await owner.links.create({ url: "https://example.com/scoped" });
    const { key } = await server.services.workspaces.createKey({
      workspaceId: server.workspaceId,
      scopes: ["links.read"],
    });
    const reader = server.sdk(key);

    assert.equal((await reader.links.get({ linkId: existing.id })).id, existing.id);
    assert.ok((await reader.links.list()).result.some((link) => link.id === existing.id));

    const before = await server.one<{ n: number }>("select count(*) as n from links");
    const error = await rejection(reader.links.create({ url: "https://example.com/forbidden" }), 403);
    assert.match(error.message, /'links\.write'/);
    assert.ok(error.message.includes(server.workspaceId));
    await rejection(reader.links.update(existing.id, { url: "https://example.com/nope" }), 403);
    await rejection(reader.links.upsert({ url: "https://example.com/nope" }), 403);
    await rejection(reader.links.delete(existing.id), 403);
    const afterCount = await server.one<{ n: number }>("select count(*) as n from links");
    assert.equal(Number(afterCount?.n), Number(before?.n), "nothing was written");
    assert.equal((await linkRow(server, existing.id))?.url, "https://example.com/scoped");
  });

  test("links.write implies links.read", async () => {
    const { key } = await server.services.workspaces.createKey({
      workspaceId: server.workspaceId,
      scopes: ["links.write"],
    });
    const writer = server.sdk(key);
    const link = await writer.links.create({ url: "https://example.com/writer" });
    assert.equal((await writer.links.get({ linkId: link.id })).id, link.id);
    assert.ok((await writer.links.list()).result.some((item) => item.id === link.id));
    assert.equal((await writer.links.update(link.id, { title: "t" })).title, "t");
    assert.deepEqual(await writer.links.delete(link.id), { id: link.id });
  });

  test("a key without any links scope may not read links", async () => {
    const { key } = await server.services.workspaces.createKey({
      workspaceId: server.workspaceId,
      scopes: ["analytics.read"],
    });
    const error = await rejection(server.sdk(key).links.list(), 403);
    assert.match(error.message, /'links\.read'/);
    await rejection(server.sdk(key).links.get({ key: "anything" }), 403);
  });
});

describe("NotFound (404): another workspace's links do not exist for you", () => {
  test("get by id, by domain+key and by externalId answer 404 and never the link's data", async () => {
    const theirs = await server.newWorkspace();
    const externalId = `secret-${Date.now()}`;
    const link = await server.sdk(theirs.key).links.create({
      url: "https://secret.example.com/their-landing",
      key: `theirs-${Date.now()}`,
      externalId,
      tenantId: "their-tenant",
    });
    const mine = server.sdk();

    for (const lookup of [
      { linkId: link.id },
      { domain: link.domain, key: link.key },
      { key: link.key },
      { externalId },
      { externalId: `ext_${externalId}` },
    ]) {
      const error = await rejection(mine.links.get(lookup), 404);
      for (const secret of ["secret.example.com", link.id, "their-tenant", theirs.workspaceId]) {
        assert.ok(!error.text.includes(secret), `${JSON.stringify(lookup)} leaked ${secret}: ${error.text}`);
      }
    }

    // GET /links/:id too (no SDK method for it).
    const byId = await rejection(api(server, `/links/${link.id}`, { headers: bearer(server.key) }), 404);
    assert.ok(!byId.text.includes("secret.example.com"));

    // Lists and filters never include it.
    for (const filter of [{}, { tenantId: "their-tenant" }, { search: "secret" }, { domain: link.domain }]) {
      const ids = (await mine.links.list(filter)).result.map((item) => item.id);
      assert.ok(!ids.includes(link.id), JSON.stringify(filter));
    }
    // The owner still sees it.
    assert.equal((await server.sdk(theirs.key).links.get({ externalId })).id, link.id);
  });

  test("update, delete and upsert cannot touch another workspace's link", async () => {
    const theirs = await server.newWorkspace();
    const externalId = `victim-${Date.now()}`;
    const link = await server.sdk(theirs.key).links.create({
      url: `https://victim.example.com/${Date.now()}`,
      key: `victim-${Date.now()}`,
      externalId,
    });
    const before = await linkRow(server, link.id);
    assert.ok(before);
    const mine = server.sdk();

    for (const id of [link.id, `ext_${externalId}`]) {
      const error = await rejection(
        mine.links.update(id, { url: "https://attacker.example.com/", key: "hijacked" }),
        404,
      );
      assert.ok(!error.text.includes("victim.example.com"));
      await rejection(mine.links.delete(id), 404);
    }
    assert.deepEqual(await linkRow(server, link.id), before, "the link is unchanged");

    // Upserting their URL creates my own link; theirs is untouched.
    const upserted = await mine.links.upsert({ url: link.url, title: "mine now?" });
    assert.notEqual(upserted.id, link.id);
    assert.equal(upserted.workspaceId, server.workspaceId);
    assert.deepEqual(await linkRow(server, link.id), before);

    // A key that does not exist anywhere is 404 too, with the same message.
    const unknown = await rejection(mine.links.get({ linkId: "link_00000000000000000000000000" }), 404);
    const foreign = await rejection(mine.links.get({ linkId: link.id }), 404);
    assert.equal(foreign.message, unknown.message);
  });
});

describe("Conflict (409) and UnprocessableEntity (422)", () => {
  test("a duplicate key is Conflict", async () => {
    const key = `conflict-${Date.now()}`;
    await server.sdk().links.create({ url: "https://example.com/c1", key });
    await rejection(server.sdk().links.create({ url: "https://example.com/c2", key }), 409);
  });

  test("an invalid body is UnprocessableEntity", async () => {
    await rejection(server.sdk().links.create({ url: "javascript:alert(1)" }), 422);
  });
});

describe("RateLimitExceeded (429) and rate-limit headers", () => {
  const rateHeaders = (response: Response) => ({
    limit: response.headers.get("x-ratelimit-limit"),
    remaining: response.headers.get("x-ratelimit-remaining"),
    reset: response.headers.get("x-ratelimit-reset"),
  });

  function assertResetInTheNextMinute(reset: string | null) {
    assert.match(reset ?? "", /^\d+$/, "X-RateLimit-Reset is an integer");
    const seconds = Number(reset);
    const now = Date.now() / 1000;
    assert.ok(seconds >= Math.floor(now) && seconds <= now + 61, `reset ${seconds} vs now ${now}`);
  }

  test("the 4th call in a minute is refused with Retry-After in seconds; another key is not limited", async () => {
    const key = limited.key;
    for (let i = 1; i <= 3; i++) {
      const response = await api(limited, "/links", { headers: bearer(key) });
      assert.equal(response.status, 200, `call ${i}`);
      const headers = rateHeaders(response);
      assert.equal(headers.limit, "3");
      assert.equal(headers.remaining, String(3 - i));
      assertResetInTheNextMinute(headers.reset);
    }

    const error = await rejection(limited.sdk(key).links.list(), 429);
    const retryAfter = error.headers.get("retry-after") ?? "";
    assert.match(retryAfter, /^\d+$/, `Retry-After is an integer number of seconds: ${retryAfter}`);
    assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 60, retryAfter);

    const raw = await api(limited, "/links", {
      method: "POST",
      headers: bearer(key),
      body: JSON.stringify({ url: "https://example.com/x" }),
    });
    await rejection(raw, 429);
    assert.deepEqual(
      { ...rateHeaders(raw), reset: undefined },
      { limit: "3", remaining: "0", reset: undefined },
    );
    assertResetInTheNextMinute(rateHeaders(raw).reset);
    assert.ok(Number(raw.headers.get("retry-after")) >= 1 && Number(raw.headers.get("retry-after")) <= 60);
    const count = await limited.one<{ n: number }>(
      "select count(*) as n from links where url = 'https://example.com/x'",
    );
    assert.equal(Number(count?.n), 0, "a refused create writes nothing");

    // Another key (here: of another workspace) has its own budget.
    const other = await limited.newWorkspace();
    const response = await api(limited, "/links", { headers: bearer(other.key) });
    assert.equal(response.status, 200);
    assert.equal(rateHeaders(response).remaining, "2");
    // Unauthenticated failures do not spend anyone's budget, and are 401 rather than 429.
    const anonymous = await api(limited, "/links");
    assert.equal(anonymous.status, 401);
  });

  test("X-RateLimit-* headers are on every authenticated response, errors included", async () => {
    const { key } = await server.newWorkspace();
    const { key: readOnly } = await server.newWorkspace(["links.read"]);
    const json = { "content-type": "application/json" };
    const cases: [string, number, string, RequestInit][] = [
      ["list", 200, "/links", { headers: bearer(key) }],
      [
        "create",
        200,
        "/links",
        {
          method: "POST",
          headers: { ...bearer(key), ...json },
          body: JSON.stringify({ url: "https://example.com/h" }),
        },
      ],
      ["not found", 404, "/links/info?linkId=link_nope", { headers: bearer(key) }],
      ["bad lookup", 400, "/links/info", { headers: bearer(key) }],
      [
        "invalid body",
        422,
        "/links",
        { method: "POST", headers: { ...bearer(key), ...json }, body: JSON.stringify({ url: "data:," }) },
      ],
      ["invalid query", 422, "/links?pageSize=1000", { headers: bearer(key) }],
      ["malformed JSON", 400, "/links", { method: "POST", headers: { ...bearer(key), ...json }, body: "{" }],
      [
        "forbidden",
        403,
        "/links",
        {
          method: "POST",
          headers: { ...bearer(readOnly), ...json },
          body: JSON.stringify({ url: "https://example.com/f" }),
        },
      ],
    ];
    const seen = new Map<string, number>();
    for (const [name, status, path, init] of cases) {
      const response = await api(server, path, init);
      assert.equal(response.status, status, name);
      const headers = rateHeaders(response);
      assert.equal(headers.limit, "600", `${name}: X-RateLimit-Limit`);
      assert.match(headers.remaining ?? "", /^\d+$/, `${name}: X-RateLimit-Remaining`);
      assertResetInTheNextMinute(headers.reset);
      const usedKey = (init.headers as Record<string, string>).authorization;
      const previous = seen.get(usedKey);
      if (previous !== undefined)
        assert.equal(Number(headers.remaining), previous - 1, `${name}: every call spends one`);
      seen.set(usedKey, Number(headers.remaining));
      await response.arrayBuffer();
    }
  });
});
