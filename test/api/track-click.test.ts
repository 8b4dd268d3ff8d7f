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

const trackClick = (body: unknown, origin?: string, userAgent = BROWSER_UA) =>
  fetch(`${server.origin}/api/track/click`, {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": userAgent, ...(origin ? { origin } : {}) },
    body: JSON.stringify(body),
  });

test("a CORS preflight is answered without a key", async () => {
  const response = await fetch(`${server.origin}/api/track/click`, {
    method: "OPTIONS",
    headers: { origin: "https://shop.example.com", "access-control-request-method": "POST" },
  });
  assert.equal(response.status, 204);
  assert.equal(response.headers.get("access-control-allow-origin"), "https://shop.example.com");
  assert.match(response.headers.get("access-control-allow-methods") ?? "", /POST/);
});

test("an allowed site records a click and gets its id", async () => {
  const response = await trackClick({ domain: server.host, key: "spring" }, "https://shop.example.com");
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("access-control-allow-origin"), "https://shop.example.com");
  const body = (await response.json()) as { clickId: string; partner: null; discount: null };
  assert.match(body.clickId, /^[0-9A-Za-z]{16}$/);
  assert.deepEqual({ partner: body.partner, discount: body.discount }, { partner: null, discount: null });
  const row = await server.one("select key, domain from clicks where id = ?", body.clickId);
  assert.deepEqual(row, { key: "spring", domain: server.host });
});

test("a wildcard entry allows subdomains and the apex", async () => {
  for (const origin of ["https://blog.example.org", "https://example.org"]) {
    assert.equal((await trackClick({ domain: server.host, key: "spring" }, origin)).status, 200, origin);
  }
});

test("a site that is not allowed, or no Origin at all, is refused with 403 and nothing recorded", async () => {
  const before = await countRows(server, "select count(*) as n from clicks");
  for (const origin of ["https://evil.example.net", undefined]) {
    const response = await trackClick(
      { domain: server.host, key: "spring" },
      origin,
      `${BROWSER_UA} ${origin}`,
    );
    await rejection(response, 403);
  }
  assert.equal(await countRows(server, "select count(*) as n from clicks"), before);
});

test("an unknown link is a 404 naming domain and key", async () => {
  const response = trackClick({ domain: server.host, key: "nope" }, "https://shop.example.com");
  await rejection(response, 404, { message: /nope/ });
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
