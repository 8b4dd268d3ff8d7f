import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { browserMissing, launchBrowser } from "../helpers/browser.js";
import { BROWSER_UA, freePort, startServer, type TestServer } from "../helpers/server.js";

/**
 * The destination site of the README journey, in a real browser: a page that includes /script.js keeps the
 * click id in a first-party `dub_id` cookie, which its backend then reads. (Headless Chromium announces
 * itself as HeadlessChrome, which is a bot: pages use an ordinary desktop user agent.)
 */
describe("script.js in Chromium", { skip: browserMissing }, () => {
  let server: TestServer;
  let site: Server;
  let siteOrigin: string;
  let browser: Browser;
  const cookiesSeenBySite: string[] = [];

  before(async () => {
    server = await startServer();
    const sitePort = await freePort();
    siteOrigin = `http://127.0.0.1:${sitePort}`;
    site = createServer((request, response) => {
      if (request.url?.startsWith("/signup")) {
        cookiesSeenBySite.push(request.headers.cookie ?? "");
        response.writeHead(204).end();
        return;
      }
      response.writeHead(200, { "content-type": "text/html" }).end(
        `<!doctype html><html><body><h1>Shop</h1>
         <script src="${server.origin}/script.js" data-short-domain="${server.host}"></script></body></html>`,
      );
    });
    await new Promise<void>((resolve) => site.listen(sitePort, "127.0.0.1", resolve));
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => site?.close(resolve));
    await server?.stop();
  });

  const cookieValue = async (page: Page) =>
    (await page.context().cookies(siteOrigin)).find((cookie) => cookie.name === "dub_id");

  test("a short-link visit lands with dub_id, which becomes a 90-day first-party cookie", async () => {
    await server.sdk().links.create({ url: `${siteOrigin}/landing`, key: "shop", trackConversion: true });
    const page = await browser.newPage({ userAgent: BROWSER_UA });
    await page.goto(`${server.origin.replace("127.0.0.1", "localhost")}/shop`);
    const clickId = new URL(page.url()).searchParams.get("dub_id");
    assert.match(clickId ?? "", /^[0-9A-Za-z]{16}$/);
    await page.waitForFunction('document.cookie.includes("dub_id=")');
    const cookie = await cookieValue(page);
    assert.equal(cookie?.value, clickId);
    assert.equal(cookie?.sameSite, "Lax");
    const days = ((cookie?.expires ?? 0) * 1000 - Date.now()) / 86_400_000;
    assert.ok(days > 89 && days <= 90, `cookie lives ${days} days`);
    await page.evaluate(() => fetch("/signup", { method: "POST" }));
    assert.ok(
      cookiesSeenBySite.at(-1)?.includes(`dub_id=${clickId}`),
      "the site's backend receives the click id",
    );
    const row = await server.one<{ key: string }>("select key from clicks where id = ?", clickId);
    assert.equal(row?.key, "shop");
    await page.close();
  });

  test("a ?via=<key> visit asks /api/track/click for a click id when the site is allowed", async () => {
    await server
      .sdk()
      .links.create({ url: "https://elsewhere.example/", key: "partner", trackConversion: true });
    await server.services.workspaces.setAllowedHostnames(server.workspaceId, ["127.0.0.1"]);
    const page = await browser.newPage({ userAgent: BROWSER_UA });
    await page.goto(`${siteOrigin}/?via=partner`);
    await page.waitForFunction('document.cookie.includes("dub_id=")');
    const clickId = (await cookieValue(page))?.value;
    const row = await server.one<{ key: string }>("select key from clicks where id = ?", clickId);
    assert.equal(row?.key, "partner", "the click the cookie names was recorded");
    await page.close();
  });

  test("a site that is not allowed gets no click id", async () => {
    await server.services.workspaces.setAllowedHostnames(server.workspaceId, ["shop.example.com"]);
    const page = await browser.newPage({ userAgent: BROWSER_UA });
    await page.context().clearCookies();
    const refused = page.waitForResponse((response) => response.url().endsWith("/api/track/click"));
    await page.goto(`${siteOrigin}/?via=partner`);
    assert.equal((await refused).status(), 403);
    assert.equal(await cookieValue(page), undefined);
    await page.close();
  });
});

/** Host names mapped to 127.0.0.1 inside Chromium only, so that a site can live on a real-looking domain. */
describe("script.js sets its cookie on the site's apex domain", { skip: browserMissing }, () => {
  let server: TestServer;
  let site: Server;
  let port: number;
  let browser: Browser;

  before(async () => {
    server = await startServer();
    port = await freePort();
    site = createServer((_request, response) =>
      response
        .writeHead(200, { "content-type": "text/html" })
        .end(`<!doctype html><html><body><script src="${server.origin}/script.js"></script></body></html>`),
    );
    await new Promise<void>((resolve) => site.listen(port, "127.0.0.1", resolve));
    browser = await launchBrowser([
      "--host-resolver-rules=MAP shop.example.test 127.0.0.1, MAP shop.example.co.uk 127.0.0.1, MAP www.example.test 127.0.0.1",
    ]);
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => site?.close(resolve));
    await server?.stop();
  });

  for (const [host, apex] of [
    ["shop.example.test", ".example.test"],
    ["www.example.test", ".example.test"],
    ["shop.example.co.uk", ".example.co.uk"],
  ]) {
    test(`${host} → ${apex}`, async () => {
      const page = await browser.newPage({ userAgent: BROWSER_UA });
      const origin = `http://${host}:${port}`;
      await page.goto(`${origin}/?dub_id=apex${host.length}`);
      await page.waitForFunction('document.cookie.includes("dub_id=")');
      const cookies = (await page.context().cookies(origin)).filter((cookie) => cookie.name === "dub_id");
      assert.deepEqual(
        cookies.map((cookie) => [cookie.domain, cookie.value]),
        [[apex, `apex${host.length}`]],
      );
      await page.close();
    });
  }
});
