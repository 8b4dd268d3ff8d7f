// /api/tokens: the dashboard's API keys (list, create shown once, edit, revoke) for a signed-in owner only. Keys and
// members are refused; what an owner creates works with the `dub` SDK, an edited key's scopes hold at its next
// call, and a revoked key stops working.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { apiCall } from "../helpers/journey.js";
import { rejection } from "../helpers/rejection.js";
import { startServer, type TestServer } from "../helpers/server.js";
import { PASSWORD, signedInUser, uniqueEmail } from "../helpers/session.js";

let server: TestServer;
before(async () => {
  server = await startServer({ TRUST_PROXY: "true" });
});
after(() => server.stop());

describe("/tokens for a signed-in owner", () => {
  test("lists, creates (the key in that answer only) and revokes; the key works with the SDK until revoked", async () => {
    const ws = await server.newWorkspace();
    const { browser } = await signedInUser(server, "owner", ws.workspaceId);
    const at = `?workspaceId=${ws.workspaceId}`;
    const created = await browser.json("POST", `/api/tokens${at}`, {
      body: { name: "From the dashboard", scopes: ["links.read", "links.write"] },
    });
    assert.deepEqual(Object.keys(created).sort(), [
      "createdAt",
      "id",
      "key",
      "kind",
      "lastUsedAt",
      "name",
      "partialKey",
      "scopes",
    ]);
    assert.match(created.key, /^dub_[0-9A-Za-z]{24}$/);
    assert.deepEqual(created.scopes, ["links.read", "links.write"]);
    assert.equal(created.kind, "secret");
    assert.equal(created.lastUsedAt, null);
    assert.equal(new Date(created.createdAt).toISOString(), created.createdAt);

    await server.sdk(created.key).links.create({ url: "https://example.com/by-a-dashboard-key" });
    const listed = await browser.json("GET", `/api/tokens${at}`);
    const mine = listed.find((token: { id: string }) => token.id === created.id);
    assert.ok(mine, "listed");
    assert.equal(mine.key, undefined, "the list never shows a key");
    assert.ok(mine.lastUsedAt !== null, "its use is recorded");
    assert.ok(
      listed.some((token: { name: string }) => token.name !== "From the dashboard"),
      "the workspace's own key",
    );

    const publishable = await browser.json("POST", `/api/tokens${at}`, {
      body: { name: "Site", kind: "publishable" },
    });
    assert.match(publishable.key, /^dub_pk_/);
    await rejection(
      browser.call("POST", `/api/tokens${at}`, { body: { name: "x", scopes: ["links.fly"] } }),
      422,
    );
    await rejection(browser.call("POST", `/api/tokens${at}`, { body: {} }), 422);

    assert.deepEqual(await browser.json("DELETE", `/api/tokens/${created.id}${at}`), { id: created.id });
    await assert.rejects(server.sdk(created.key).links.list(), /401|Unauthorized/);
    await rejection(browser.call("DELETE", `/api/tokens/${created.id}${at}`), 404);
    assert.equal(
      (await browser.json("GET", `/api/tokens${at}`)).some(
        (token: { id: string }) => token.id === created.id,
      ),
      false,
    );
  });

  test("a member gets 403 for every /tokens route, and nothing changes", async () => {
    const ws = await server.newWorkspace();
    const { browser } = await signedInUser(server, "member", ws.workspaceId);
    const [own] = await server.services.workspaces.listKeys(ws.workspaceId);
    const at = `?workspaceId=${ws.workspaceId}`;
    for (const [method, path, body] of [
      ["GET", `/api/tokens${at}`, undefined],
      ["POST", `/api/tokens${at}`, { name: "member's" }],
      ["DELETE", `/api/tokens/${own.id}${at}`, undefined],
    ] as const) {
      await rejection(browser.call(method, path, { body }), 403, { what: `${method} ${path}` });
    }
    const keys = await server.services.workspaces.listKeys(ws.workspaceId);
    assert.deepEqual(
      keys.map((key) => [key.id, key.revokedAt]),
      [[own.id, null]],
    );
  });

  test("an owner cannot revoke another workspace's key, nor write without the CSRF token", async () => {
    const mine = await server.newWorkspace();
    const other = await server.newWorkspace();
    const { browser } = await signedInUser(server, "owner", mine.workspaceId);
    const [theirs] = await server.services.workspaces.listKeys(other.workspaceId);
    await rejection(browser.call("DELETE", `/api/tokens/${theirs.id}?workspaceId=${mine.workspaceId}`), 404);
    await rejection(browser.call("DELETE", `/api/tokens/${theirs.id}?workspaceId=${other.workspaceId}`), 403);
    await rejection(
      browser.call("POST", `/api/tokens?workspaceId=${mine.workspaceId}`, {
        body: { name: "x" },
        csrf: null,
      }),
      403,
    );
    assert.equal((await server.services.workspaces.listKeys(other.workspaceId))[0].revokedAt, null);
  });
});

describe("PATCH /tokens/{id}: an owner renames a key or changes its scopes", () => {
  test("the new scopes hold at the key's next call; its secret, kind and creation stay", async () => {
    const ws = await server.newWorkspace();
    const { browser } = await signedInUser(server, "owner", ws.workspaceId);
    const at = `?workspaceId=${ws.workspaceId}`;
    const created = await browser.json("POST", `/api/tokens${at}`, {
      body: { name: "Robot", scopes: ["links.read", "links.write"] },
    });
    const sdk = server.sdk(created.key);
    await sdk.links.create({ url: "https://example.com/before-the-edit" });

    const edited = await browser.json("PATCH", `/api/tokens/${created.id}${at}`, {
      body: { name: "  Analytics robot ", scopes: ["analytics.read", "analytics.read"] },
    });
    const { key: _secret, lastUsedAt: _used, ...listing } = created;
    const { lastUsedAt, ...rest } = edited;
    assert.deepEqual(rest, { ...listing, name: "Analytics robot", scopes: ["analytics.read"] });
    assert.notEqual(lastUsedAt, null, "its last use stays");
    await rejection(sdk.links.list(), 403, { message: /'links\.read'/ });
    await rejection(sdk.links.create({ url: "https://example.com/after-the-edit" }), 403);
    await sdk.analytics.retrieve({});

    const renamed = await browser.json("PATCH", `/api/tokens/${created.id}${at}`, {
      body: { name: "Reader" },
    });
    assert.deepEqual([renamed.name, renamed.scopes], ["Reader", ["analytics.read"]], "absent scopes stay");
    for (const everything of [null, []]) {
      await browser.json("PATCH", `/api/tokens/${created.id}${at}`, { body: { scopes: ["tags.read"] } });
      const all = await browser.json("PATCH", `/api/tokens/${created.id}${at}`, {
        body: { scopes: everything },
      });
      assert.deepEqual(
        [all.name, all.scopes],
        ["Reader", null],
        `${JSON.stringify(everything)}: every scope`,
      );
      await sdk.links.list();
    }
    const listed = (await browser.json("GET", `/api/tokens${at}`)).find(
      (token: { id: string }) => token.id === created.id,
    );
    assert.deepEqual([listed.name, listed.scopes, listed.partialKey], ["Reader", null, created.partialKey]);
  });

  test("bad input is Dub's 422 (400 for broken JSON); an unknown, revoked or foreign key is 404; nothing changes", async () => {
    const ws = await server.newWorkspace();
    const other = await server.newWorkspace();
    const { browser } = await signedInUser(server, "owner", ws.workspaceId);
    const at = `?workspaceId=${ws.workspaceId}`;
    const created = await browser.json("POST", `/api/tokens${at}`, {
      body: { name: "Steady", scopes: ["links.read"] },
    });
    const path = `/api/tokens/${created.id}${at}`;
    for (const body of [
      {},
      { name: "" },
      { name: "   " },
      { name: "x".repeat(191) },
      { name: 7 },
      { scopes: ["links.fly"] },
      { scopes: "links.read" },
      { scopes: [null] },
      [],
      "text",
    ]) {
      await rejection(browser.call("PATCH", path, { body }), 422, { what: JSON.stringify(body) });
    }
    const broken = await fetch(`${server.origin}${path}`, {
      method: "PATCH",
      headers: {
        cookie: `ct_session=${browser.cookie}`,
        "x-csrf-token": browser.csrfToken ?? "",
        origin: server.origin,
        "content-type": "application/json",
      },
      body: '{"name": "Half',
    });
    await rejection(broken, 400, { message: /Invalid JSON/ });

    const publishable = await browser.json("POST", `/api/tokens${at}`, {
      body: { name: "Site", kind: "publishable" },
    });
    await rejection(
      browser.call("PATCH", `/api/tokens/${publishable.id}${at}`, { body: { scopes: ["links.read"] } }),
      400,
      { message: /publishable key takes no scopes/ },
    );
    const site = await browser.json("PATCH", `/api/tokens/${publishable.id}${at}`, {
      body: { name: "Shop" },
    });
    assert.deepEqual([site.name, site.kind, site.scopes], ["Shop", "publishable", null]);

    await rejection(browser.call("PATCH", `/api/tokens/key_unknown${at}`, { body: { name: "x" } }), 404);
    const [theirs] = await server.services.workspaces.listKeys(other.workspaceId);
    await rejection(
      browser.call("PATCH", `/api/tokens/${theirs.id}${at}`, { body: { name: "Mine now" } }),
      404,
    );
    const gone = await browser.json("POST", `/api/tokens${at}`, { body: { name: "Gone" } });
    await browser.json("DELETE", `/api/tokens/${gone.id}${at}`);
    await rejection(browser.call("PATCH", `/api/tokens/${gone.id}${at}`, { body: { name: "Back" } }), 404);

    const keys = await server.services.workspaces.listKeys();
    const named = (id: string) => keys.find((key) => key.id === id);
    assert.deepEqual([named(created.id)?.name, named(created.id)?.scopes], ["Steady", ["links.read"]]);
    assert.equal(named(theirs.id)?.name, theirs.name);
    assert.equal(named(gone.id)?.name, "Gone");
  });

  test("a member, an API key, and a write without the CSRF token get 403; the key stays as it was", async () => {
    const ws = await server.newWorkspace();
    const [own] = await server.services.workspaces.listKeys(ws.workspaceId);
    const path = `/api/tokens/${own.id}?workspaceId=${ws.workspaceId}`;
    const { browser: member } = await signedInUser(server, "member", ws.workspaceId);
    await rejection(member.call("PATCH", path, { body: { scopes: ["links.read"] } }), 403);
    await rejection(apiCall(server.origin, ws.key, "PATCH", `/tokens/${own.id}`, { name: "By a key" }), 403, {
      message: /only from the dashboard/,
    });
    const { browser: owner } = await signedInUser(server, "owner", ws.workspaceId);
    await rejection(owner.call("PATCH", path, { body: { scopes: ["links.read"] }, csrf: null }), 403);
    const [after] = await server.services.workspaces.listKeys(ws.workspaceId);
    assert.deepEqual([after.name, after.scopes], [own.name, own.scopes]);
    assert.ok(Array.isArray((await server.sdk(ws.key).links.list()).result), "still unrestricted");
  });
});

describe("an API key may not manage keys", () => {
  test("GET, POST and DELETE /tokens with an unrestricted key are 403, and no key is made or revoked", async () => {
    const ws = await server.newWorkspace();
    const before = await server.query(
      "select id from api_keys where workspace_id = ? and revoked_at is null",
      ws.workspaceId,
    );
    const [own] = before as { id: string }[];
    for (const [method, path, body] of [
      ["GET", "/tokens", undefined],
      ["POST", "/tokens", { name: "minted by a key" }],
      ["DELETE", `/tokens/${own.id}`, undefined],
    ] as const) {
      await rejection(apiCall(server.origin, ws.key, method, path, body), 403, {
        message: /only from the dashboard/,
        what: `${method} ${path}`,
      });
    }
    assert.deepEqual(
      await server.query(
        "select id from api_keys where workspace_id = ? and revoked_at is null",
        ws.workspaceId,
      ),
      before,
    );
  });

  test("a key without workspaces.write is refused by its scope first", async () => {
    const ws = await server.newWorkspace(["links.read"]);
    await rejection(apiCall(server.origin, ws.key, "GET", "/tokens"), 403, {
      message: /'workspaces\.write'/,
    });
  });
});

describe("the token service for dashboard callers", () => {
  test("an owner lists, creates (the key once) and revokes; the new key works with the SDK until revoked", async () => {
    const ws = await server.newWorkspace();
    // a real owner: a key acts as its maker, and the key of someone who is no member opens nothing (ADR 24)
    const user = await server.services.accounts.createUser(
      { email: uniqueEmail("owner"), password: PASSWORD },
      { workspaceId: ws.workspaceId, role: "owner" },
    );
    const owner = { workspaceId: ws.workspaceId, userId: user.id, role: "owner" as const };
    const created = await server.services.tokens.create(owner, { name: "CI", scopes: ["links.read"] });
    assert.match(created.key, /^dub_/);
    assert.equal(created.name, "CI");
    assert.deepEqual(created.scopes, ["links.read"]);
    assert.equal(created.lastUsedAt, null);
    assert.equal(created.partialKey, `${created.key.slice(0, 7)}…${created.key.slice(-4)}`);

    assert.ok(Array.isArray((await server.sdk(created.key).links.list()).result));
    const listed = await server.services.tokens.list(owner);
    const mine = listed.find((key) => key.id === created.id);
    assert.ok(mine, "listed");
    assert.ok(mine.lastUsedAt !== null && mine.lastUsedAt >= created.createdAt, "its use was recorded");
    assert.equal(Object.hasOwn(mine, "key"), false);

    await server.services.tokens.revoke(owner, created.id);
    assert.equal(
      (await server.services.tokens.list(owner)).some((key) => key.id === created.id),
      false,
    );
    await assert.rejects(server.sdk(created.key).links.list(), /401|Unauthorized/);
    await assert.rejects(server.services.tokens.revoke(owner, created.id), /No active API key/);
  });

  test("a publishable key takes no scopes; unknown scopes are refused", async () => {
    const owner = { workspaceId: server.workspaceId, userId: "usr_owner", role: "owner" as const };
    const publishable = await server.services.tokens.create(owner, { name: "Site", kind: "publishable" });
    assert.match(publishable.key, /^dub_pk_/);
    assert.equal(publishable.kind, "publishable");
    await assert.rejects(
      server.services.tokens.create(owner, { name: "x", kind: "publishable", scopes: ["links.read"] }),
      /takes no scopes/,
    );
    await assert.rejects(
      server.services.tokens.create(owner, { name: "x", scopes: ["links.fly"] }),
      /Unknown scope/,
    );
  });

  test("a member may not list, create or revoke; nor may an owner touch another workspace's key", async () => {
    const ws = await server.newWorkspace();
    const other = await server.newWorkspace();
    const member = { workspaceId: ws.workspaceId, userId: "usr_member", role: "member" as const };
    await assert.rejects(server.services.tokens.list(member), /Only an owner/);
    await assert.rejects(server.services.tokens.create(member, { name: "x" }), /Only an owner/);
    const [theirs] = await server.services.workspaces.listKeys(other.workspaceId);
    const owner = { workspaceId: ws.workspaceId, userId: "usr_owner", role: "owner" as const };
    await assert.rejects(server.services.tokens.revoke(member, theirs.id), /Only an owner/);
    await assert.rejects(server.services.tokens.revoke(owner, theirs.id), /No active API key/);
    assert.equal((await server.services.workspaces.listKeys(other.workspaceId))[0].revokedAt, null);
  });
});
