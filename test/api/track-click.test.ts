import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { countRows } from "../helpers/journey.js";
import { rejection } from "../helpers/rejection.js";
import { BROWSER_UA, startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
before(async () => {
  server = await startServer();
  await server.sdk().links.create({ url: "https://shop.example.com/", key: "spring", trackConversion: true });
  await server.services.workspaces.setAllowedHostnames(server.workspaceId, [
    "shop.example.com",
    "*.example.org",
  ]);
});
after(() => server.stop());

const trackClick = (body: unknown, origin?: string, userAgent = BROWSER_UA, referer?: string) =>
  fetch(`${server.origin}/api/track/click`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "user-agent": userAgent,
      ...(origin ? { origin } : {}),
      ...(referer ? { referer } : {}),
    },
    body: JSON.stringify(body),
  });

test("a CORS preflight is answered without a key, as Dub answers it: any origin, POST, Authorization allowed", async () => {
  const response = await fetch(`${server.origin}/api/track/click`, {
    method: "OPTIONS",
    headers: {
      origin: "https://shop.example.com",
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization, content-type",
    },
  });
  assert.equal(response.status, 204);
  assert.equal(response.headers.get("access-control-allow-origin"), "*");
  assert.equal(response.headers.get("access-control-allow-methods"), "POST, OPTIONS");
  assert.equal(response.headers.get("access-control-allow-headers"), "Content-Type, Authorization");
});

test("an allowed site records a click and gets its id", async () => {
  const response = await trackClick({ domain: server.host, key: "spring" }, "https://shop.example.com");
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("access-control-allow-origin"), "*");
  const body = (await response.json()) as { clickId: string };
  // Only the click id: Dub names a partner and a discount only for a partner's link, which Clicktrail has not.
  assert.deepEqual(Object.keys(body), ["clickId"]);
  assert.match(body.clickId, /^[0-9A-Za-z]{16}$/);
  const row = await server.one("select key, domain from clicks where id = ?", body.clickId);
  assert.deepEqual(row, { key: "spring", domain: server.host });
});

test("a wildcard entry allows subdomains and the apex", async () => {
  for (const origin of ["https://blog.example.org", "https://example.org"]) {
    assert.equal((await trackClick({ domain: server.host, key: "spring" }, origin)).status, 200, origin);
  }
});

test("a plain link's page, named by Referer alone, records a click; www. is the same site", async () => {
  // The bug: only Origin was read, and a click from a plain link (which sends no Origin) was refused with 403.
  for (const referer of ["https://shop.example.com/pricing?plan=pro", "https://www.shop.example.com/"]) {
    const response = await trackClick({ domain: server.host, key: "spring" }, undefined, BROWSER_UA, referer);
    assert.equal(response.status, 200, referer);
    const { clickId } = (await response.json()) as { clickId: string };
    assert.ok(await server.one("select id from clicks where id = ?", clickId), referer);
  }
});

test("the Referer names the page before the Origin does, as in Dub", async () => {
  const allowedPage = await trackClick(
    { domain: server.host, key: "spring" },
    "https://evil.example.net",
    `${BROWSER_UA} referer-first`,
    "https://shop.example.com/",
  );
  assert.equal(allowedPage.status, 200);
  const refusedPage = trackClick(
    { domain: server.host, key: "spring" },
    "https://shop.example.com",
    `${BROWSER_UA} referer-first-refused`,
    "https://evil.example.net/",
  );
  await rejection(refusedPage, 403, { message: /evil\.example\.net/ });
});

test("a site that is not allowed, or no page at all, is refused with 403 (with CORS headers) and nothing recorded", async () => {
  const before = await countRows(server, "select count(*) as n from clicks");
  for (const origin of ["https://evil.example.net", "null", undefined]) {
    const response = await trackClick(
      { domain: server.host, key: "spring" },
      origin,
      `${BROWSER_UA} ${origin}`,
    );
    assert.equal(response.headers.get("access-control-allow-origin"), "*");
    await rejection(response, 403, { message: /allowed hostnames/ });
  }
  assert.equal(await countRows(server, "select count(*) as n from clicks"), before);
});

test("a workspace that names no allowed host name takes clicks from any page, or none (Dub's rule, ADR 21)", async () => {
  const open = await server.newWorkspace();
  const link = await server.sdk(open.key).links.create({ url: "https://open.example.com/", key: "open-ws" });
  for (const [n, origin] of ["https://anywhere.example.net", undefined].entries()) {
    // A user agent with a URL in it reads as a bot's.
    const response = await trackClick(
      { domain: server.host, key: "open-ws" },
      origin,
      `${BROWSER_UA} open/${n}`,
    );
    assert.equal(response.status, 200, String(origin));
    const { clickId } = (await response.json()) as { clickId: string };
    const row = await server.one<{ link_id: string }>("select link_id from clicks where id = ?", clickId);
    assert.equal(row?.link_id, link.id);
  }
});

test("an unknown link is a 404 naming domain and key", async () => {
  const response = trackClick({ domain: server.host, key: "nope" }, "https://shop.example.com");
  await rejection(response, 404, { message: /nope/ });
});

test("a missing domain or key is Dub's 422 `<field> is required.`; another type keeps zod's wording", async () => {
  for (const [field, body] of [
    ["domain", { key: "spring" }],
    ["key", { domain: server.host }],
  ] as const) {
    await rejection(trackClick(body, "https://shop.example.com"), 422, {
      message: `invalid_type: ${field}: ${field} is required.`,
    });
  }
  await rejection(trackClick({ domain: 5, key: "spring" }, "https://shop.example.com"), 422, {
    message: "invalid_type: domain: Invalid input: expected string, received number",
  });
});

test("a referrer or url over 32,000 characters is a 422 and records nothing", async () => {
  // Found by the fuzz suite: both took any length, and the referrer is stored with the click.
  const before = await countRows(server, "select count(*) as n from clicks");
  const long = `https://blog.example.org/${"a".repeat(32_000)}`;
  for (const field of ["referrer", "url"]) {
    const response = await trackClick(
      { domain: server.host, key: "spring", [field]: long },
      "https://shop.example.com",
      `${BROWSER_UA} ${field}`,
    );
    await rejection(response, 422, { message: new RegExp(field), what: field });
  }
  assert.equal(await countRows(server, "select count(*) as n from clicks"), before);
});

test("a bot gets no click id and nothing is recorded", async () => {
  const response = await trackClick(
    { domain: server.host, key: "spring" },
    "https://shop.example.com",
    "Googlebot/2.1",
  );
  assert.equal(response.status, 200);
  assert.equal(((await response.json()) as { clickId: string | null }).clickId, null);
});

test("GET /script.js serves the client script", async () => {
  const response = await fetch(`${server.origin}/script.js`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /javascript/);
  const source = await response.text();
  assert.match(source, /dub_id/);
  assert.match(source, /samesite=lax/i);
});
