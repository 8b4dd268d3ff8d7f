// POST /track/open: an app opened through a short link (a deep link) gets that link and a click id, as Dub answers.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { countRows } from "../helpers/journey.js";
import { rejection } from "../helpers/rejection.js";
import { BROWSER_UA, startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
let linkId: string;
before(async () => {
  server = await startServer();
  linkId = (await server.sdk().links.create({ url: "https://app.example.com/welcome", key: "app-open" })).id;
  // An app is no web page: the workspace's allowed sites do not apply to it.
  await server.services.workspaces.setAllowedHostnames(server.workspaceId, ["shop.example.com"]);
});
after(() => server.stop());

const open = (body: unknown, userAgent = BROWSER_UA) =>
  fetch(`${server.origin}/api/track/open`, {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": userAgent },
    body: JSON.stringify(body),
  });

test("a deep link answers the link and a click id, recorded once per visitor like any visit", async () => {
  const before = await countRows(server, "select count(*) as n from clicks where link_id = ?", linkId);
  const deepLink = `https://${server.host}/app-open`;
  const first = await open({ deepLink }, `${BROWSER_UA} app/1`);
  assert.equal(first.status, 200);
  assert.equal(first.headers.get("access-control-allow-origin"), "*");
  const body = (await first.json()) as { clickId: string; link: unknown };
  assert.match(body.clickId, /^[0-9A-Za-z]{16}$/);
  assert.deepEqual(body.link, {
    id: linkId,
    domain: server.host,
    key: "app-open",
    url: "https://app.example.com/welcome",
  });
  const again = (await (await open({ deepLink }, `${BROWSER_UA} app/1`)).json()) as { clickId: string };
  assert.equal(again.clickId, body.clickId);
  assert.equal(
    await countRows(server, "select count(*) as n from clicks where link_id = ?", linkId),
    before + 1,
  );
  const row = await server.one<{ link_id: string }>("select link_id from clicks where id = ?", body.clickId);
  assert.equal(row?.link_id, linkId);
});

test("a bot opening gets the link and no click id, and nothing is recorded", async () => {
  const before = await countRows(server, "select count(*) as n from clicks");
  const response = await open({ deepLink: `https://${server.host}/app-open` }, "Googlebot/2.1");
  assert.equal(response.status, 200);
  assert.equal(((await response.json()) as { clickId: null }).clickId, null);
  assert.equal(await countRows(server, "select count(*) as n from clicks"), before);
});

test("an unknown deep link is Dub's 404 naming it; so is a bare domain (Clicktrail has no root link) and a path no key decodes to", async () => {
  // `%ZZ` is no percent-escape: no key can be written so (the wire fuzz found it answered 500).
  for (const deepLink of [
    `https://${server.host}/nope`,
    `https://${server.host}/`,
    `https://${server.host}/%ZZ`,
  ]) {
    await rejection(open({ deepLink }), 404, { message: `Deep link not found: ${deepLink}` });
  }
});

test("the body needs a deepLink or a dubDomain (Dub's words); a dubDomain alone, deferred deep linking, is refused as unsupported", async () => {
  await rejection(open({}), 422, {
    message: "You need to provide either `deepLink` or `dubDomain` for deferred deep linking.",
  });
  await rejection(open({ dubDomain: server.host }), 422, {
    message: /Deferred deep linking .* is not supported/,
  });
  await rejection(open({ deepLink: "not a url" }), 422, { message: /Invalid URL/ });
});

test("a CORS preflight is answered as Dub's", async () => {
  const response = await fetch(`${server.origin}/api/track/open`, {
    method: "OPTIONS",
    headers: { origin: "https://anywhere.example", "access-control-request-method": "POST" },
  });
  assert.equal(response.status, 204);
  assert.equal(response.headers.get("access-control-allow-origin"), "*");
  assert.equal(response.headers.get("access-control-allow-methods"), "POST, OPTIONS");
  assert.equal(response.headers.get("access-control-allow-headers"), "Content-Type, Authorization");
});
