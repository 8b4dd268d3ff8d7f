// Dashboard accounts over the real server: the setup link, sign-in, the session cookie as a second way to
// authenticate on /api (scopes by role, workspace by `workspaceId`), CSRF on cookie-authenticated writes, sign-out.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { rejection } from "../helpers/rejection.js";
import { startServer, type TestServer } from "../helpers/server.js";
import { Browser, type Json, PASSWORD, signedInUser, uniqueEmail } from "../helpers/session.js";

let server: TestServer;
before(async () => {
  server = await startServer({ TRUST_PROXY: "true" });
});
after(() => server.stop());

describe("the setup link", () => {
  test("makes the first owner once; a second use, an unknown token and a weak password are refused", async () => {
    const browser = new Browser(server);
    const info = await browser.json("GET", `/api/auth/setup?token=${server.setupToken}`);
    assert.deepEqual(info, { workspace: { id: server.workspaceId, name: "Default workspace" } });

    await rejection(
      browser.call("POST", "/api/auth/setup", {
        body: { token: server.setupToken, email: uniqueEmail(), password: "short" },
      }),
      422,
      { message: /at least 8 characters/ },
    );

    const email = uniqueEmail("Owner");
    const me = await browser.setup(server.setupToken, email);
    assert.equal(me.user.email, email);
    assert.deepEqual(
      me.workspaces.map((w: { id: string; role: string }) => [w.id, w.role]),
      [[server.workspaceId, "owner"]],
    );
    assert.match(me.csrfToken, /^[\w-]{43}$/);
    assert.ok(browser.cookie, "setup signs the new owner in");
    assert.equal((await browser.json("GET", "/api/auth/me")).user.id, me.user.id);

    await rejection(
      new Browser(server).call("POST", "/api/auth/setup", {
        body: { token: server.setupToken, email: uniqueEmail(), password: PASSWORD },
      }),
      410,
      { code: "invite_expired" },
    );
    await rejection(new Browser(server).call("GET", `/api/auth/setup?token=${server.setupToken}`), 410);
    await rejection(new Browser(server).call("GET", "/api/auth/setup?token=nothing-like-it"), 410);
    const stored = await server.query<{ token_hash: string }>("SELECT token_hash FROM setup_tokens");
    assert.equal(stored.length, 1);
    assert.notEqual(stored[0].token_hash, server.setupToken, "only the token's hash is stored");
  });

  test("an expired setup link is 410 and makes nobody", async () => {
    const token = await server.services.accounts.createSetupToken(server.workspaceId);
    await new Browser(server).json("GET", `/api/auth/setup?token=${token}`);
    await server.storage.db
      .updateTable("setup_tokens")
      .set({ expires_at: Date.now() - 1 })
      .where("used_at", "is", null)
      .execute();
    const email = uniqueEmail("late");
    await rejection(new Browser(server).call("GET", `/api/auth/setup?token=${token}`), 410);
    await rejection(
      new Browser(server).call("POST", "/api/auth/setup", { body: { token, email, password: PASSWORD } }),
      410,
    );
    assert.equal((await server.query("SELECT id FROM users WHERE email_key = ?", email)).length, 0);
  });
});

describe("signing in", () => {
  test("right password: the cookie is HttpOnly, SameSite=Lax, Path=/, 30 days, Secure only over https", async () => {
    const email = uniqueEmail();
    await server.services.accounts.createUser(
      { email, password: PASSWORD },
      { workspaceId: server.workspaceId, role: "member" },
    );
    const overHttp = new Browser(server);
    const response = await overHttp.call("POST", "/api/auth/login", {
      body: { email: email.toUpperCase(), password: PASSWORD },
    });
    assert.equal(response.status, 200, await response.clone().text());
    const [cookie] = response.headers.getSetCookie();
    const attributes = cookie.split(";").map((part) => part.trim());
    assert.match(attributes[0], /^ct_session=[\w-]{43}$/);
    assert.ok(attributes.includes("HttpOnly"));
    assert.ok(attributes.includes("SameSite=Lax"));
    assert.ok(attributes.includes("Path=/"));
    const maxAge = Number(attributes.find((a) => a.startsWith("Max-Age="))?.slice(8));
    assert.ok(maxAge > 29 * 86_400 && maxAge <= 30 * 86_400, `Max-Age ${maxAge}`);
    assert.ok(!attributes.includes("Secure"), "no Secure over plain http");
    const me = (await response.json()) as Json;
    assert.equal(me.user.email, email, "the email as the user gave it first");
    assert.ok(!JSON.stringify(me).includes("scrypt"), "no password hash in the answer");

    const overHttps = await new Browser(server).call("POST", "/api/auth/login", {
      body: { email, password: PASSWORD },
      headers: { "x-forwarded-proto": "https" },
      origin: server.origin.replace("http:", "https:"),
    });
    assert.equal(overHttps.status, 200);
    assert.ok(
      overHttps.headers
        .getSetCookie()[0]
        .split(";")
        .map((a) => a.trim())
        .includes("Secure"),
    );

    const rows = await server.query<{ token_hash: string }>(
      "SELECT s.token_hash FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email_key = ?",
      email.toLowerCase(),
    );
    assert.equal(rows.length, 2);
    assert.ok(
      rows.every((row) => row.token_hash !== overHttp.cookie && /^[0-9a-f]{64}$/.test(row.token_hash)),
    );
  });

  test("a wrong password or unknown email is 401 with one message; no session, no cookie", async () => {
    const { email } = await signedInUser(server);
    for (const body of [
      { email, password: "wrong password" },
      { email: uniqueEmail("nobody"), password: PASSWORD },
    ]) {
      const response = await new Browser(server).call("POST", "/api/auth/login", { body });
      assert.deepEqual(response.headers.getSetCookie(), []);
      await rejection(response, 401, { message: "Wrong email or password." });
    }
  });

  test("a sign-in posted from another site is refused", async () => {
    const { email } = await signedInUser(server);
    await rejection(
      new Browser(server).call("POST", "/api/auth/login", {
        body: { email, password: PASSWORD },
        origin: "https://evil.example",
      }),
      403,
    );
  });

  test("GET /api/auth/me is 401 without a session, or with an unknown cookie", async () => {
    await rejection(new Browser(server).call("GET", "/api/auth/me"), 401);
    const stranger = new Browser(server);
    stranger.cookie = "not-a-session";
    await rejection(stranger.call("GET", "/api/auth/me"), 401);
    await rejection(stranger.call("GET", "/api/links"), 401);
  });
});

describe("the session on /api", () => {
  test("reads and writes links with fetch and the cookie, with Origin and X-CSRF-Token on writes", async () => {
    const { browser } = await signedInUser(server);
    const created = await browser.json("POST", "/api/links", {
      body: { url: "https://example.com/session" },
    });
    const listed = await browser.json("GET", "/api/links");
    assert.ok(listed.some((link: { id: string }) => link.id === created.id));
    const viaKey = await server.sdk().links.get({ linkId: created.id });
    assert.equal(viaKey.url, "https://example.com/session", "the same workspace as the key's");
  });

  test("CSRF: without Origin, with a foreign Origin or Referer, without or with a wrong token → 403", async () => {
    const { browser } = await signedInUser(server);
    const body = { url: "https://example.com/csrf" };
    const refusals = [
      { origin: null },
      { origin: "https://evil.example" },
      { origin: null, headers: { referer: "https://evil.example/page" } },
      { origin: server.origin.replace("127.0.0.1", "localhost") },
      { csrf: null },
      { csrf: "x".repeat(43) },
    ];
    for (const options of refusals)
      await rejection(browser.call("POST", "/api/links", { body, ...options }), 403, {
        what: JSON.stringify(options),
      });
    const before = await server.query("SELECT id FROM links WHERE url = ?", body.url);
    assert.equal(before.length, 0, "nothing refused was written");
    const viaReferer = await browser.call("POST", "/api/links", {
      body,
      origin: null,
      headers: { referer: `${server.origin}/app/default-workspace/links` },
    });
    assert.equal(viaReferer.status, 200, "the Referer's origin stands in for a missing Origin");
    await browser.json("POST", "/api/links", { body });
  });

  test("a Bearer request ignores the cookie", async () => {
    const { browser } = await signedInUser(server);
    await rejection(
      browser.call("GET", "/api/links", { headers: { authorization: "Bearer dub_notakey" } }),
      401,
      { message: "Unauthorized: Invalid API key." },
    );
    const withKey = await browser.call("POST", "/api/links", {
      body: { url: "https://example.com/bearer" },
      origin: "https://evil.example",
      csrf: null,
      headers: { authorization: `Bearer ${server.key}` },
    });
    assert.equal(withKey.status, 200, "no CSRF check for a key");
  });

  test("a member cannot change the workspace or create webhooks; an owner can", async () => {
    const member = await signedInUser(server, "member");
    const owner = await signedInUser(server, "owner");
    const patch = { body: { name: "Renamed" } };
    await rejection(member.browser.call("PATCH", `/api/workspaces/${server.workspaceId}`, patch), 403, {
      message: /workspaces\.write/,
    });
    const webhook = { body: { name: "hook", url: "https://example.com/hook", triggers: ["lead.created"] } };
    await rejection(member.browser.call("POST", "/api/webhooks", webhook), 403, {
      message: /webhooks\.write/,
    });
    await member.browser.json("GET", `/api/workspaces/${server.workspaceId}`);
    await member.browser.json("POST", "/api/links", { body: { url: "https://example.com/member" } });

    const renamed = await owner.browser.json("PATCH", `/api/workspaces/${server.workspaceId}`, {
      body: { name: "Default workspace" },
    });
    assert.equal(renamed.name, "Default workspace");
  });

  test("workspaceId picks the workspace; a stranger to it gets 403; several and none named is 400", async () => {
    const other = await server.newWorkspace();
    const { browser, userId } = await signedInUser(server);
    await rejection(browser.call("GET", `/api/links?workspaceId=${other.workspaceId}`), 403);
    await rejection(browser.call("GET", `/api/workspaces/${other.workspaceId}`), 403);

    await server.storage.stores.accounts.addMembership({
      workspaceId: other.workspaceId,
      userId,
      role: "member",
      createdAt: Date.now(),
    });
    await rejection(browser.call("GET", "/api/links"), 400, { message: /workspaceId/ });
    const link = await server.sdk(other.key).links.create({ url: "https://example.com/in-b" });
    const inB = await browser.json("GET", `/api/links?workspaceId=${other.workspaceId}`);
    assert.deepEqual(
      inB.map((l: { id: string }) => l.id),
      [link.id],
    );
    const slug = (await server.services.workspaces.listWorkspaces()).find(
      (w) => w.id === other.workspaceId,
    )?.slug;
    assert.equal((await browser.json("GET", `/api/links?workspaceId=${slug}`)).length, 1, "by slug as well");
    const me = await browser.json("GET", "/api/auth/me");
    assert.deepEqual(
      me.workspaces.map((w: { id: string; role: string }) => [w.id, w.role]).sort(),
      [
        [server.workspaceId, "owner"],
        [other.workspaceId, "member"],
      ].sort(),
    );
  });
});

describe("signing out", () => {
  test("logout ends the session: the old cookie is 401 on /api and on me", async () => {
    const { browser } = await signedInUser(server);
    const oldCookie = browser.cookie;
    const response = await browser.call("POST", "/api/auth/logout");
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { ok: true });
    assert.match(response.headers.getSetCookie()[0], /^ct_session=; .*Max-Age=0/);
    const replay = new Browser(server);
    replay.cookie = oldCookie;
    await rejection(replay.call("GET", "/api/auth/me"), 401);
    await rejection(replay.call("GET", "/api/links"), 401);
  });

  test("a use an hour after the last one extends the session to 30 days and renews the cookie; sooner, neither", async () => {
    const { browser, userId } = await signedInUser(server);
    const soon = Date.now() + 86_400_000;
    const row = () =>
      server.one<{ expires_at: number | string; last_seen_at: number | string }>(
        "SELECT expires_at, last_seen_at FROM sessions WHERE user_id = ?",
        userId,
      );
    await server.storage.db
      .updateTable("sessions")
      .set({ expires_at: soon, last_seen_at: Date.now() - 30 * 60_000 })
      .where("user_id", "=", userId)
      .execute();
    const early = await browser.call("GET", "/api/auth/me");
    assert.equal(early.status, 200);
    assert.deepEqual(early.headers.getSetCookie(), []);
    assert.equal(Number((await row())?.expires_at), soon, "no write within the hour");

    await server.storage.db
      .updateTable("sessions")
      .set({ last_seen_at: Date.now() - 61 * 60_000 })
      .where("user_id", "=", userId)
      .execute();
    const late = await browser.call("GET", "/api/links");
    assert.equal(late.status, 200);
    assert.match(
      late.headers.getSetCookie()[0] ?? "",
      /^ct_session=[\w-]{43}; Path=\/; Max-Age=259\d{4}; HttpOnly/,
    );
    const extended = Number((await row())?.expires_at);
    assert.ok(extended > Date.now() + 29 * 86_400_000, `expires ${new Date(extended).toISOString()}`);
  });

  test("an expired session is 401 and is pruned; a live one is kept", async () => {
    const expired = await signedInUser(server);
    const live = await signedInUser(server);
    await server.storage.db
      .updateTable("sessions")
      .set({ expires_at: Date.now() - 1 })
      .where("user_id", "=", expired.userId)
      .execute();
    await rejection(expired.browser.call("GET", "/api/auth/me"), 401);
    assert.ok((await server.storage.stores.accounts.deleteExpiredSessions(Date.now())) >= 1);
    const left = await server.query(
      "SELECT user_id FROM sessions WHERE user_id IN (?, ?)",
      expired.userId,
      live.userId,
    );
    assert.deepEqual(left, [{ user_id: live.userId }]);
    await live.browser.json("GET", "/api/auth/me");
  });

  test("logout needs the CSRF token like any write", async () => {
    const { browser } = await signedInUser(server);
    await rejection(browser.call("POST", "/api/auth/logout", { csrf: null }), 403);
    await browser.json("GET", "/api/auth/me");
  });
});
