// Members and invites of a workspace, sign-in throttling and signing out everywhere, over the real server.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { LOGIN_FAILURES } from "../../src/domain/accounts/session-policy.js";
import { rejection } from "../helpers/rejection.js";
import { startServer, type TestServer } from "../helpers/server.js";
import { Browser, type Json, PASSWORD, signedInUser, uniqueEmail } from "../helpers/session.js";

let server: TestServer;
before(async () => {
  server = await startServer({ TRUST_PROXY: "true" });
});
after(() => server.stop());

/** A workspace of its own with a signed-in owner, so tests do not share members. */
async function ownedWorkspace() {
  const { workspaceId, key } = await server.newWorkspace();
  const owner = await signedInUser(server, "owner", workspaceId);
  return { workspaceId, key, owner };
}

async function invite(owner: Browser, workspaceId: string, email = uniqueEmail("invited"), role = "member") {
  const created = await owner.json("POST", `/api/workspaces/${workspaceId}/invites`, {
    body: { email, role },
  });
  const token = new URL(created.url).searchParams.get("token") ?? "";
  return { ...created, token, email } as Json;
}

describe("invites", () => {
  test("an owner invites; the link shows the invite; a new user accepts with a password and is signed in", async () => {
    const { workspaceId, owner } = await ownedWorkspace();
    const created = await invite(owner.browser, workspaceId, undefined, "member");
    assert.equal(created.url, `${server.origin}/app/invite?token=${created.token}`);
    assert.match(created.id, /^inv_/);
    const expiresIn = Date.parse(created.expiresAt) - Date.now();
    assert.ok(expiresIn > 6.9 * 86_400_000 && expiresIn <= 7 * 86_400_000, `${expiresIn} ms`);

    const listed = await owner.browser.json("GET", `/api/workspaces/${workspaceId}/invites`);
    assert.deepEqual(
      listed.map((i: Json) => [i.id, i.email, i.role]),
      [[created.id, created.email, "member"]],
    );
    assert.ok(!JSON.stringify(listed).includes(created.token), "the token is shown only once");

    const guest = new Browser(server);
    const info = await guest.json("GET", `/api/invites/${created.token}`);
    assert.equal(info.workspace.id, workspaceId);
    assert.deepEqual([info.email, info.role, info.expiresAt], [created.email, "member", created.expiresAt]);

    await rejection(guest.call("POST", `/api/invites/${created.token}/accept`, { body: {} }), 422, {
      message: /at least 8/,
    });
    const me = await guest.accept(created.token, { name: "Guest", password: PASSWORD });
    assert.equal(me.user.email, created.email);
    assert.equal(me.user.name, "Guest");
    assert.deepEqual(
      me.workspaces.map((w: Json) => [w.id, w.role]),
      [[workspaceId, "member"]],
    );
    await guest.json("GET", `/api/links?workspaceId=${workspaceId}`);
    assert.deepEqual(await owner.browser.json("GET", `/api/workspaces/${workspaceId}/invites`), []);

    for (const attempt of [
      new Browser(server).call("GET", `/api/invites/${created.token}`),
      new Browser(server).call("POST", `/api/invites/${created.token}/accept`, {
        body: { password: PASSWORD },
      }),
    ])
      await rejection(attempt, 410, { code: "invite_expired", what: "a used invite" });
  });

  test("a signed-in user accepts an invite to another workspace and then switches between both", async () => {
    const a = await ownedWorkspace();
    const b = await ownedWorkspace();
    const created = await invite(b.owner.browser, b.workspaceId, uniqueEmail("any"), "owner");
    const me = await a.owner.browser.accept(created.token);
    assert.deepEqual(
      me.workspaces.map((w: Json) => [w.id, w.role]).sort(),
      [
        [a.workspaceId, "owner"],
        [b.workspaceId, "owner"],
      ].sort(),
    );
    const inB = await a.owner.browser.json("POST", `/api/links?workspaceId=${b.workspaceId}`, {
      body: { url: "https://example.com/b" },
    });
    const viaBKey = await server.sdk(b.key).links.get({ linkId: inB.id });
    assert.equal(viaBKey.url, "https://example.com/b", "the link is B's");
    await rejection(a.owner.browser.call("GET", "/api/links"), 400, { what: "two workspaces, none named" });
  });

  test("accepting for an email that already has an account needs a sign-in first (409)", async () => {
    const { workspaceId, owner } = await ownedWorkspace();
    const existing = await signedInUser(server, "member");
    const created = await invite(owner.browser, workspaceId, existing.email.toUpperCase());
    await rejection(
      new Browser(server).call("POST", `/api/invites/${created.token}/accept`, {
        body: { password: PASSWORD },
      }),
      409,
      { message: /sign in first/ },
    );
    await existing.browser.accept(created.token);
  });

  test("an expired invite and a revoked one are 410", async () => {
    const { workspaceId, owner } = await ownedWorkspace();
    const expired = await invite(owner.browser, workspaceId);
    await server.storage.db
      .updateTable("invites")
      .set({ expires_at: Date.now() - 1 })
      .where("id", "=", expired.id)
      .execute();
    await rejection(new Browser(server).call("GET", `/api/invites/${expired.token}`), 410, {
      what: "expired",
    });
    await rejection(
      new Browser(server).call("POST", `/api/invites/${expired.token}/accept`, {
        body: { password: PASSWORD },
      }),
      410,
    );
    assert.deepEqual(await owner.browser.json("GET", `/api/workspaces/${workspaceId}/invites`), []);

    const revoked = await invite(owner.browser, workspaceId);
    const answer = await owner.browser.json("DELETE", `/api/workspaces/${workspaceId}/invites/${revoked.id}`);
    assert.deepEqual(answer, { id: revoked.id, revoked: true });
    await rejection(new Browser(server).call("GET", `/api/invites/${revoked.token}`), 410, {
      what: "revoked",
    });
    await rejection(
      new Browser(server).call("POST", `/api/invites/${revoked.token}/accept`, {
        body: { password: PASSWORD },
      }),
      410,
    );
    await rejection(
      owner.browser.call("DELETE", `/api/workspaces/${workspaceId}/invites/${revoked.id}`),
      404,
    );
    await rejection(new Browser(server).call("GET", "/api/invites/unknown-token"), 410);
  });

  test("members cannot invite or list invites; an API key cannot invite", async () => {
    const { workspaceId, key } = await ownedWorkspace();
    const member = await signedInUser(server, "member", workspaceId);
    const body = { email: uniqueEmail(), role: "member" };
    await rejection(member.browser.call("POST", `/api/workspaces/${workspaceId}/invites`, { body }), 403);
    await rejection(member.browser.call("GET", `/api/workspaces/${workspaceId}/invites`), 403);
    const withKey = await fetch(`${server.origin}/api/workspaces/${workspaceId}/invites`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    await rejection(withKey, 403);
  });
});

describe("members", () => {
  test("anyone in the workspace lists its members; an owner changes roles and removes; the last owner stays", async () => {
    const { workspaceId, key, owner } = await ownedWorkspace();
    const member = await signedInUser(server, "member", workspaceId);
    const path = `/api/workspaces/${workspaceId}/members`;

    const listed = await member.browser.json("GET", path);
    assert.deepEqual(
      listed.map((m: Json) => [m.userId, m.email, m.role]),
      [
        [owner.userId, owner.email, "owner"],
        [member.userId, member.email, "member"],
      ],
    );
    assert.match(listed[0].createdAt, /^\d{4}-\d\d-\d\dT/);
    const viaKey = await fetch(`${server.origin}${path}`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(viaKey.status, 200, "a key with workspaces.read lists members");

    await rejection(
      member.browser.call("PATCH", `${path}/${owner.userId}`, { body: { role: "member" } }),
      403,
    );
    await rejection(
      owner.browser.call("PATCH", `${path}/${owner.userId}`, { body: { role: "member" } }),
      409,
      {
        what: "demoting the last owner",
      },
    );
    await rejection(owner.browser.call("DELETE", `${path}/${owner.userId}`), 409, {
      what: "removing the last owner",
    });

    const promoted = await owner.browser.json("PATCH", `${path}/${member.userId}`, {
      body: { role: "owner" },
    });
    assert.equal(promoted.role, "owner");
    await member.browser.json("PATCH", `/api/workspaces/${workspaceId}?workspaceId=${workspaceId}`, {
      body: { name: "Promoted" },
    });
    await member.browser.json("PATCH", `${path}/${owner.userId}`, { body: { role: "member" } });
    await rejection(
      owner.browser.call("PATCH", `${path}/${member.userId}`, { body: { role: "member" } }),
      403,
    );

    const removed = await member.browser.json("DELETE", `${path}/${owner.userId}`);
    assert.deepEqual(removed, { userId: owner.userId, removed: true });
    await rejection(owner.browser.call("GET", `/api/links?workspaceId=${workspaceId}`), 403, {
      what: "a removed member",
    });
    await rejection(member.browser.call("DELETE", `${path}/${owner.userId}`), 404);
    await rejection(
      member.browser.call("PATCH", `${path}/${member.userId}`, { body: { role: "admin" } }),
      422,
    );
  });
});

describe("throttling and signing out everywhere", () => {
  test(`after ${LOGIN_FAILURES} failures for an email, even the right password is 429 with Retry-After`, async () => {
    const { email } = await signedInUser(server);
    for (let i = 0; i < LOGIN_FAILURES; i++)
      await rejection(
        new Browser(server).call("POST", "/api/auth/login", { body: { email, password: `wrong ${i}` } }),
        401,
      );
    const throttled = await new Browser(server).call("POST", "/api/auth/login", {
      body: { email: email.toUpperCase(), password: PASSWORD },
    });
    const retryAfter = Number(throttled.headers.get("retry-after"));
    assert.ok(retryAfter > 0 && retryAfter <= 15 * 60, `Retry-After ${retryAfter}`);
    assert.deepEqual(throttled.headers.getSetCookie(), []);
    await rejection(throttled, 429, { code: "rate_limit_exceeded" });
  });

  test(`after ${LOGIN_FAILURES} failures from one address, other emails from it are 429 too`, async () => {
    const guesser = new Browser(server);
    for (let i = 0; i < LOGIN_FAILURES; i++)
      await rejection(
        guesser.call("POST", "/api/auth/login", {
          body: { email: uniqueEmail("guess"), password: PASSWORD },
        }),
        401,
      );
    const { email } = await signedInUser(server);
    await rejection(guesser.call("POST", "/api/auth/login", { body: { email, password: PASSWORD } }), 429);
    await new Browser(server).login(email);
  });

  test("logout-everywhere ends every session of the user, not other users'", async () => {
    const { browser, email } = await signedInUser(server);
    const laptop = new Browser(server);
    await laptop.login(email);
    const someoneElse = await signedInUser(server);
    const answer = await browser.json("POST", "/api/auth/logout-everywhere");
    assert.deepEqual(answer, { ok: true, sessions: 2 });
    const staleCookie = new Browser(server);
    staleCookie.cookie = laptop.cookie;
    await rejection(staleCookie.call("GET", "/api/links"), 401, { what: "the other device's session" });
    await rejection(laptop.call("GET", "/api/auth/me"), 401);
    await someoneElse.browser.json("GET", "/api/auth/me");
  });
});
