// Signing in to the dashboard in Chromium against a real server process: the setup link, the login form (wrong
// password, next, throttling), sign-out, invites, and a cross-site form post carrying the session cookie.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, describe, test } from "node:test";
import {
  assetsLoaded,
  browserMissing,
  checkAccessibility,
  cookieFrom,
  type Dashboard,
  screenshot,
  startDashboard,
} from "../helpers/dashboard.js";
import { cliJson } from "../helpers/processes.js";
import { freePort } from "../helpers/server.js";

type Me = { user: { email: string }; workspaces: { id: string; slug: string }[]; csrfToken: string };

describe("dashboard sign-in", { skip: browserMissing }, () => {
  let dash: Dashboard;
  let me: Me;

  before(async () => {
    dash = await startDashboard();
  });
  after(() => dash?.stop());

  /** A new session of this user, through the API. */
  async function sessionOf(email: string, password: string): Promise<string> {
    const login = await fetch(`${dash.origin}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: dash.origin },
      body: JSON.stringify({ email, password }),
    });
    assert.equal(login.status, 200, await login.clone().text());
    return cookieFrom(login, "ct_session") as string;
  }

  /** A call to the API as the session `cookie`, with its CSRF token on writes. */
  async function asSession(cookie: string, method: string, path: string, body?: unknown) {
    const headers: Record<string, string> = { cookie: `ct_session=${cookie}`, origin: dash.origin };
    if (method !== "GET") {
      const own = await fetch(`${dash.origin}/api/auth/me`, { headers: { cookie: `ct_session=${cookie}` } });
      headers["x-csrf-token"] = ((await own.json()) as Me).csrfToken;
    }
    if (body !== undefined) headers["content-type"] = "application/json";
    return fetch(`${dash.origin}/api${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  test("the setup link makes the first owner in the page, who lands on the workspace's links; it works once", async () => {
    const page = await dash.newPage();
    await page.goto(`${dash.origin}/app/setup?token=${dash.setupToken}`);
    await page.getByRole("heading", { name: "Set up Clicktrail" }).waitFor();
    await checkAccessibility(page, "setup");
    await screenshot(page, "setup");
    await page.getByLabel("Name").fill(dash.owner.name);
    await page.getByLabel("Email").fill(dash.owner.email);
    await page.getByLabel("Password").fill(dash.owner.password);
    await page.getByRole("button", { name: "Create owner and sign in" }).click();
    await page.waitForURL(/\/app\/[^/]+\/links$/);
    await page.getByRole("heading", { name: "Links" }).waitFor();
    await page.getByText("No links yet.").waitFor();
    const cookie = (await page.context().cookies()).find((each) => each.name === "ct_session");
    assert.ok(cookie?.httpOnly, "the session cookie is HttpOnly");
    assert.equal(cookie?.sameSite, "Lax");

    const meAnswer = await fetch(`${dash.origin}/api/auth/me`, {
      headers: { cookie: `ct_session=${cookie?.value}` },
    });
    assert.equal(meAnswer.status, 200);
    me = (await meAnswer.json()) as Me;
    assert.equal(me.user.email, dash.owner.email);

    const again = await dash.newPage();
    await again.goto(`${dash.origin}/app/setup?token=${dash.setupToken}`);
    await again.getByRole("heading", { name: "This setup link cannot be used" }).waitFor();
    await checkAccessibility(again, "setup, used");
  });

  test("a wrong password says so; signing in honours next only for a path of the dashboard", async () => {
    const page = await dash.newPage();
    await page.goto(`${dash.origin}/app/login?next=${encodeURIComponent("https://evil.example/app/x")}`);
    await page.getByLabel("Email").fill(dash.owner.email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "Wrong email or password." }).waitFor();
    await checkAccessibility(page, "login, wrong password");
    await screenshot(page, "login-wrong-password");
    await page.getByLabel("Password").fill(dash.owner.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${dash.origin}/app/${me.workspaces[0]?.slug}/links`);

    const next = `/app/${me.workspaces[0]?.slug}/links?search=spring`;
    const second = await dash.newPage();
    const { gzipBytes, files } = await assetsLoaded(second, async () => {
      await second.goto(`${dash.origin}/app/login?next=${encodeURIComponent(next)}`);
      await second.getByRole("heading", { name: "Sign in" }).waitFor();
    });
    assert.ok(gzipBytes <= 200 * 1024, `the login page loads ${gzipBytes} bytes gzip: ${files.join(" ")}`);
    await checkAccessibility(second, "login");
    await screenshot(second, "login");
    await dash.signIn(second);
    await second.waitForURL(`${dash.origin}${next}`);
    assert.equal(await second.getByPlaceholder("Search by short link or URL").inputValue(), "spring");

    // A signed-in visit of an unknown dashboard path, or of /app, lands in the workspace.
    await second.goto(`${dash.origin}/app/no/such/page`);
    await second.waitForURL(/\/app\/[^/]+\/links/);
  });

  test("an unsigned visit of a workspace page goes to the login and back after it", async () => {
    const page = await dash.newPage();
    const slug = me.workspaces[0]?.slug;
    await page.goto(`${dash.origin}/app/${slug}/links?sortBy=clicks`);
    await page.waitForURL(/\/app\/login\?/);
    await dash.signIn(page);
    await page.waitForURL(`${dash.origin}/app/${slug}/links?sortBy=clicks`);
  });

  test("sign out: the page returns to the login, and the old cookie is refused afterwards", async () => {
    const page = await dash.ownerPage({ ownSession: true });
    await page.goto(`${dash.origin}/app`);
    await page.getByRole("heading", { name: "Links" }).waitFor();
    const old = (await page.context().cookies()).find((each) => each.name === "ct_session")?.value;
    assert.ok(old);
    assert.equal(
      (await fetch(`${dash.origin}/api/auth/me`, { headers: { cookie: `ct_session=${old}` } })).status,
      200,
    );
    await page.getByRole("button", { name: dash.owner.email }).click();
    await checkAccessibility(page, "account menu");
    await page.getByRole("menuitem", { name: "Sign out", exact: true }).click();
    await page.waitForURL(/\/app\/login/);
    const refused = await fetch(`${dash.origin}/api/auth/me`, { headers: { cookie: `ct_session=${old}` } });
    assert.equal(refused.status, 401);
    await page.goto(`${dash.origin}/app/${me.workspaces[0]?.slug}/links`);
    await page.waitForURL(/\/app\/login/);
  });

  test("a cross-site form post with the session cookie is refused, and changes nothing", async () => {
    const page = await dash.ownerPage();
    const cookie = await dash.ownerSession();
    const sitePort = await freePort();
    const site: Server = createServer((_request, response) => {
      // text/plain forms are "simple" requests: no CORS preflight stops them, only the server's CSRF check.
      response.writeHead(200, { "content-type": "text/html" }).end(
        `<!doctype html><html lang="en"><body><form id="f" method="post" enctype="text/plain"
           action="${dash.origin}/api/links"><input name='{"url":"https://evil.example/","x":"' value='"}'></form>
         <script>document.getElementById("f").submit()</script></body></html>`,
      );
    });
    await new Promise<void>((resolve) => site.listen(sitePort, "127.0.0.1", resolve));
    try {
      const answer = page.waitForResponse((response) => response.url() === `${dash.origin}/api/links`);
      await page.goto(`http://127.0.0.1:${sitePort}/`);
      const response = await answer;
      // 403 rather than 401: the cookie went along (the two ports are one site) and was refused.
      assert.equal(response.status(), 403);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, "forbidden");
    } finally {
      await new Promise((resolve) => site.close(resolve));
    }
    const links = await asSession(cookie, "GET", "/links");
    assert.deepEqual(await links.json(), []);
    // The same write from the dashboard's own origin with its token is accepted.
    const made = await asSession(cookie, "POST", "/links", { url: "https://example.com/fine" });
    assert.equal(made.status, 200, await made.clone().text());
    await asSession(cookie, "DELETE", `/links/${((await made.json()) as { id: string }).id}`);
  });

  test("an invite shows its workspace and role; accepted with a new password it signs in; a used one is a clear 410 page", async () => {
    const cookie = await dash.ownerSession();
    const workspace = me.workspaces[0];
    assert.ok(workspace);
    const made = await asSession(cookie, "POST", `/workspaces/${workspace.id}/invites`, {
      email: "mia@example.com",
      role: "member",
    });
    assert.equal(made.status, 200, await made.clone().text());
    const invite = (await made.json()) as { url: string };
    const url = `${dash.origin}${new URL(invite.url).pathname}${new URL(invite.url).search}`;

    const page = await dash.newPage();
    await page.goto(url);
    await page.getByRole("heading", { name: /^Join / }).waitFor();
    await page.getByText("as a member (mia@example.com)").waitFor();
    await checkAccessibility(page, "invite");
    await screenshot(page, "invite");
    await page.getByLabel("Name").fill("Mia Member");
    await page.getByLabel("Password").fill("mias password 1");
    await page.getByRole("button", { name: "Create account and join" }).click();
    await page.waitForURL(`${dash.origin}/app/${workspace.slug}/links`);
    await page.locator(".account-email", { hasText: "mia@example.com" }).waitFor();

    const used = await dash.newPage();
    await used.goto(url);
    await used.getByRole("heading", { name: "This invite has expired or was used" }).waitFor();
    await checkAccessibility(used, "invite, used");
    await screenshot(used, "invite-expired");
    const api = await fetch(`${dash.origin}/api/invites/${new URL(invite.url).searchParams.get("token")}`);
    assert.equal(api.status, 410);
  });

  test("an invite to a second workspace for an existing account: sign in first when asked, then join as that user", async () => {
    const env = { DATA_DIR: dash.dataDir };
    const second = await cliJson<{ id: string; slug: string }>(
      ["workspaces", "create", "--name", "Second shop"],
      env,
    );
    await cliJson(
      [
        "users",
        "create",
        "--email",
        "sam@example.com",
        "--password",
        "sams password 1",
        "--workspace",
        second.id,
      ],
      env,
    );
    const sam = await sessionOf("sam@example.com", "sams password 1");
    const made = await asSession(sam, "POST", `/workspaces/${second.id}/invites`, {
      email: "mia@example.com",
      role: "owner",
    });
    assert.equal(made.status, 200, await made.clone().text());
    const inviteUrl = new URL(((await made.json()) as { url: string }).url);

    const page = await dash.newPage();
    await page.goto(`${dash.origin}${inviteUrl.pathname}${inviteUrl.search}`);
    await page.getByText("as an owner (mia@example.com)").waitFor();
    await page.getByLabel("Password").fill("another password");
    await page.getByRole("button", { name: "Create account and join" }).click();
    // The account exists (409): the page offers to sign in, and comes back here after it.
    await page.getByRole("link", { name: "Sign in as mia@example.com" }).click();
    await page.waitForURL(/\/app\/login\?next=/);
    await dash.signIn(page, { email: "mia@example.com", password: "mias password 1" });
    await page.waitForURL(`${dash.origin}${inviteUrl.pathname}${inviteUrl.search}`);
    await page.getByRole("button", { name: "Join as mia@example.com" }).click();
    await page.waitForURL(`${dash.origin}/app/${second.slug}/links`);
    // Both workspaces are hers now, and the switcher moves between them.
    const switcher = page.getByLabel("Workspace");
    await switcher.locator("option", { hasText: "Second shop" }).waitFor({ state: "attached" });
    assert.deepEqual(await switcher.locator("option").allTextContents(), [
      "Default workspace",
      "Second shop",
    ]);
    await switcher.selectOption(me.workspaces[0]?.slug ?? "");
    await page.waitForURL(`${dash.origin}/app/${me.workspaces[0]?.slug}/links`);
  });

  // After this test the suite's owner session is revoked too: the tests below sign in by themselves.
  test("sign out everywhere: the page goes to the login and says so; another browser's open page is sent to the login at its next request, and back after it", async () => {
    const elsewhere = await dash.ownerPage({ ownSession: true });
    await elsewhere.goto(`${dash.origin}/app`);
    await elsewhere.getByRole("heading", { name: "Links" }).waitFor();
    const page = await dash.ownerPage({ ownSession: true });
    await page.goto(`${dash.origin}/app`);
    const cookies = await Promise.all(
      [page, elsewhere].map(
        async (each) =>
          (await each.context().cookies()).find((cookie) => cookie.name === "ct_session")?.value,
      ),
    );
    await page.getByRole("button", { name: dash.owner.email }).click();
    await page.getByRole("menuitem", { name: "Sign out everywhere" }).click();
    await page.waitForURL(/\/app\/login\?reason=signed-out-everywhere/);
    await page
      .getByRole("status")
      .getByText("You are signed out in every browser and on every device.")
      .waitFor();
    await checkAccessibility(page, "login, signed out everywhere");
    for (const cookie of [...cookies, await dash.ownerSession()]) {
      const me = await fetch(`${dash.origin}/api/auth/me`, { headers: { cookie: `ct_session=${cookie}` } });
      assert.equal(me.status, 401, "every session of the owner is revoked");
    }

    await elsewhere.getByPlaceholder("Search by short link or URL").fill("after");
    await elsewhere.waitForURL(/\/app\/login\?next=/);
    await dash.signIn(elsewhere);
    await elsewhere.waitForURL(/\/app\/[^/]+\/links\?search=after/);
  });

  // Last: the failures count per address too, and would hold back the sign-ins above.
  test("after five wrong passwords the page says how long to wait (Retry-After)", async () => {
    const login = (password: string) =>
      fetch(`${dash.origin}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: dash.origin },
        body: JSON.stringify({ email: "throttled@example.com", password }),
      });
    for (let attempt = 0; attempt < 5; attempt++) await login(`wrong ${attempt}`);
    const refused = await login("wrong again");
    assert.equal(refused.status, 429);
    const wait = Number(refused.headers.get("retry-after"));
    assert.ok(wait > 0, "Retry-After names the wait");

    const page = await dash.newPage();
    await page.goto(`${dash.origin}/app/login`);
    await page.getByLabel("Email").fill("throttled@example.com");
    await page.getByLabel("Password").fill("whatever it is");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page
      .getByRole("alert")
      .filter({ hasText: /Too many failed attempts\. Wait \d+ (seconds|minutes)/ })
      .waitFor();
    await checkAccessibility(page, "login, throttled");
    await screenshot(page, "login-throttled");
    assert.equal(cookieFrom(refused, "ct_session"), undefined);
  });
});
