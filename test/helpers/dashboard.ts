// The dashboard in a real browser: a server process from dist/ on a fresh DATA_DIR, its first owner, a signed-in
// Chromium page, axe-core and screenshots. The e2e suites under test/e2e/dashboard-*.test.ts build on this.
// One server and one browser serve a whole suite, and the owner signs in once for it: every signed-in page shares
// that session (a scrypt sign-in costs the server tens of milliseconds; a browser or a server start, seconds).
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before } from "node:test";
import { Dub } from "dub";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { browserMissing, launchBrowser } from "./browser.js";
import { cleanUp, ensureBuilt, freePort, ROOT, type ServerProcess, startMain, tempDir } from "./processes.js";
import { BROWSER_UA } from "./server.js";

export { browserMissing };

export const SCREENSHOTS = join(ROOT, "test-artifacts", "screenshots");
const AXE = join(ROOT, "node_modules", "axe-core", "axe.min.js");

export type Owner = { email: string; password: string; name: string };

/** The slug of the workspace that a first start makes ("Default workspace"). */
export const FIRST_WORKSPACE = "default-workspace";

type PageOptions = {
  width?: number;
  height?: number;
  colorScheme?: "light" | "dark";
  /** With a session of its own (`newOwnerSession`), for a test that signs it out. */
  ownSession?: boolean;
};

export type Dashboard = {
  server: ServerProcess;
  /** e.g. http://127.0.0.1:43123 — the API and the dashboard (/app). */
  origin: string;
  dataDir: string;
  /** The first start's API key (from DATA_DIR/first-start.txt). */
  apiKey: string;
  /** The first start's setup token (from the `Setup link:` line). */
  setupToken: string;
  browser: Browser;
  /** The `dub` SDK with the first start's key. */
  sdk: Dub;
  /** A call to the API with the first start's key: its status and JSON body (null when empty). */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** `/app/<first workspace>/<path>` on the server. */
  app(path: string): string;
  /** A new page in its own browser context (own cookies), nobody signed in. */
  newPage(options?: PageOptions): Promise<Page>;
  /** A new page in its own browser context, signed in as the first owner with the suite's session (`ownerSession`). */
  ownerPage(options?: PageOptions): Promise<Page>;
  /** The first owner (created by `ownerPage`, `ownerSession` or `newOwnerSession`). */
  owner: Owner;
  /** The suite's session of the first owner (made by `newOwnerSession` on first use): its cookie's value. */
  ownerSession(): Promise<string>;
  /**
   * Creates the first owner through the setup link unless done already (in the page, say), then signs in through
   * the API: resolves to a new session cookie's value. For a test that ends its session; others share `ownerSession`.
   */
  newOwnerSession(): Promise<string>;
  /** Signs `page` in through the login form (the one it shows, with its `next`, or /app/login). */
  signIn(page: Page, who?: { email: string; password: string }): Promise<void>;
  stop(): Promise<void>;
};

/** The lines of DATA_DIR/first-start.txt the dashboard needs: the key and the setup link's token. */
export function readFirstStart(dataDir: string): { apiKey: string; setupToken: string; setupLink: string } {
  const text = readFileSync(join(dataDir, "first-start.txt"), "utf8");
  const apiKey = text.match(/^\s*API key\s+(\S+)\s*$/m)?.[1];
  const setupLink = text.match(/Setup link: (\S+)/)?.[1];
  assert.ok(apiKey, `no API key in first-start.txt:\n${text}`);
  assert.ok(setupLink, `no "Setup link:" line in first-start.txt:\n${text}`);
  const setupToken = new URL(setupLink).searchParams.get("token");
  assert.ok(setupToken, `the setup link has no token: ${setupLink}`);
  return { apiKey, setupToken, setupLink };
}

/** The value of cookie `name` among a response's Set-Cookie headers. */
export function cookieFrom(response: Response, name: string): string | undefined {
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(";");
    const at = pair?.indexOf("=") ?? -1;
    if (pair && at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

/**
 * Starts `node dist/main.js` on a fresh DATA_DIR (building dist/ first when stale) and Chromium, side by side. `env`
 * adds to the server's environment. Call `stop()` in `after` (or use `dashboardSuite`).
 */
export async function startDashboard(env: Record<string, string> = {}): Promise<Dashboard> {
  ensureBuilt();
  const dataDir = tempDir("clicktrail-dashboard-");
  const port = await freePort();
  // Short links on the server's own address, so a test can follow a link's shortLink as it is.
  const [started, launched] = await Promise.allSettled([
    startMain(
      {
        DATA_DIR: dataDir,
        SHORT_DOMAIN: `127.0.0.1:${port}`,
        CLICK_DEDUPE_SECONDS: "0",
        RATE_LIMIT_PER_MINUTE: "100000",
        ...env,
      },
      { port },
    ),
    launchBrowser(),
  ]);
  // Whichever started is stopped when the other failed: a live server would hold the test file open.
  if (started.status === "rejected" || launched.status === "rejected") {
    if (started.status === "fulfilled") await started.value.kill();
    if (launched.status === "fulfilled") await launched.value.close();
    throw started.status === "rejected" ? started.reason : (launched as PromiseRejectedResult).reason;
  }
  const [server, browser] = [started.value, launched.value];
  const { apiKey, setupToken } = readFirstStart(dataDir);
  const contexts: BrowserContext[] = [];
  const owner: Owner = { email: "owner@example.com", password: "correct horse battery", name: "Olive Owner" };

  const newPage: Dashboard["newPage"] = async ({
    width = 1280,
    height = 800,
    colorScheme = "light",
  } = {}) => {
    const context = await browser.newContext({
      viewport: { width, height },
      colorScheme,
      userAgent: BROWSER_UA,
      acceptDownloads: true,
    });
    contexts.push(context);
    return context.newPage();
  };

  let ownerExists = false;
  const newOwnerSession = async () => {
    if (!ownerExists) {
      const setup = await fetch(`${server.origin}/api/auth/setup`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: server.origin },
        body: JSON.stringify({ token: setupToken, ...owner }),
      });
      // 410: the setup link was used already, by a test that made the owner in the page.
      assert.ok(setup.status === 200 || setup.status === 410, `POST /api/auth/setup: ${await setup.text()}`);
      ownerExists = true;
    }
    const login = await fetch(`${server.origin}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.origin },
      body: JSON.stringify({ email: owner.email, password: owner.password }),
    });
    assert.equal(login.status, 200, `POST /api/auth/login as the owner: ${await login.clone().text()}`);
    const cookie = cookieFrom(login, "ct_session");
    assert.ok(cookie, "POST /api/auth/login sets ct_session");
    return cookie;
  };
  let shared: Promise<string> | undefined;
  const ownerSession = () => {
    shared ??= newOwnerSession();
    return shared;
  };

  return {
    server,
    origin: server.origin,
    dataDir,
    apiKey,
    setupToken,
    browser,
    sdk: new Dub({ token: apiKey, serverURL: `${server.origin}/api` }),
    async api<T>(method: string, path: string, body?: unknown) {
      const response = await fetch(`${server.origin}/api${path}`, {
        method,
        headers: {
          authorization: `Bearer ${apiKey}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
    },
    app: (path) => `${server.origin}/app/${FIRST_WORKSPACE}/${path}`,
    owner,
    newPage,
    ownerSession,
    newOwnerSession,
    async ownerPage(options) {
      const value = await (options?.ownSession ? newOwnerSession() : ownerSession());
      const page = await newPage(options);
      await page
        .context()
        .addCookies([{ name: "ct_session", value, url: server.origin, httpOnly: true, sameSite: "Lax" }]);
      return page;
    },
    async signIn(page, who = owner) {
      if (!page.url().startsWith(`${server.origin}/app/login`)) await page.goto(`${server.origin}/app/login`);
      await page.getByLabel("Email").fill(who.email);
      await page.getByLabel("Password").fill(who.password);
      await Promise.all([
        page.waitForURL((url) => !url.pathname.startsWith("/app/login")),
        page.getByRole("button", { name: "Sign in" }).click(),
      ]);
    },
    async stop() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await server.stop();
      cleanUp();
    },
  };
}

/**
 * A dashboard for the `describe` it is called in: started before its tests with a signed-in owner's `page`, stopped
 * after them. The fields are there from the first test on.
 */
export function dashboardSuite(env: Record<string, string> = {}): Dashboard & { page: Page } {
  const suite = {} as Dashboard & { page: Page };
  before(async () => {
    Object.assign(suite, await startDashboard(env));
    suite.page = await suite.ownerPage();
  });
  after(() => suite.stop?.());
  return suite;
}

type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

/**
 * Runs axe-core (from node_modules) in `page` and fails on any serious or critical violation, naming the rule and
 * the elements. Resolves to every violation found, the minor ones included.
 */
export async function checkAccessibility(page: Page, label = page.url()): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol: the page's CSP allows no inline script.
  if (!(await page.evaluate("typeof axe !== 'undefined'"))) await page.evaluate(readFileSync(AXE, "utf8"));
  const violations = (await page.evaluate(
    'axe.run(document, { resultTypes: ["violations"] }).then((result) => result.violations)',
  )) as AxeViolation[];
  const grave = violations.filter((each) => each.impact === "serious" || each.impact === "critical");
  assert.deepEqual(
    grave.map(
      (each) =>
        `${each.impact} ${each.id}: ${each.help} — ${each.nodes.map((node) => node.target.join(" ")).join(", ")}`,
    ),
    [],
    `axe-core on ${label}`,
  );
  return violations;
}

const FOCUSED =
  "((e) => (e.getAttribute('role') ?? e.tagName.toLowerCase()) + ': ' + (e.getAttribute('aria-label') ?? e.textContent.trim()))(document.activeElement)";

/** Where the keyboard focus is in `page`, as "role: name" (a tag for an element without a role; its aria-label, else its text). */
export function focused(page: Page): Promise<string> {
  return page.evaluate<string>(FOCUSED);
}

/**
 * Waits for the focus to arrive on `expected` ("role: name", as `focused` says it; Radix moves it in a task after
 * the key), and fails naming where it is instead when it does not.
 */
export async function focusArrives(page: Page, expected: string, why?: string): Promise<void> {
  const arrived = await page
    .waitForFunction(`${FOCUSED} === ${JSON.stringify(expected)}`, undefined, { timeout: 10_000 })
    .then(() => true)
    .catch(() => false);
  if (!arrived) assert.equal(await focused(page), expected, why);
}

/**
 * Presses `button` in a confirmation dialog and waits for the dialog to close. While a modal dialog is open the page
 * behind it is hidden from role queries, so a row seems gone at once; the dialog closes only once the server has
 * answered, and what the test reads next (through the page or the API) is then the answer's.
 */
export async function confirmDialog(
  page: Page,
  button: string,
  dialog = page.getByRole("alertdialog"),
): Promise<void> {
  await dialog.getByRole("button", { name: button }).click();
  await dialog.waitFor({ state: "detached" });
}

/** Saves a full-page screenshot as test-artifacts/screenshots/<name>.png; resolves to its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * What `load` makes `page` fetch of the dashboard's hashed assets, and their size as stored gzip-compressed (the
 * bytes a gzip client receives): the figure of the 200 KB budget for a first page.
 */
export async function assetsLoaded(
  page: Page,
  load: () => Promise<void>,
): Promise<{ files: string[]; gzipBytes: number }> {
  const files = new Set<string>();
  const record = (response: { url(): string }) => {
    const path = new URL(response.url()).pathname;
    if (path.startsWith("/app/assets/")) files.add(path.slice("/app/assets/".length));
  };
  page.on("response", record);
  try {
    await load();
    await page.waitForLoadState("networkidle");
  } finally {
    page.off("response", record);
  }
  const gzipBytes = [...files].reduce(
    (sum, file) => sum + statSync(join(ROOT, "dist", "web", "assets", `${file}.gz`)).size,
    0,
  );
  return { files: [...files].sort(), gzipBytes };
}
