import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startServer, type TestServer, visit } from "../helpers/server.js";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(() => server.stop());

test("the SDK creates a link and visiting it redirects with dub_id and a committed click", async () => {
  const link = await server
    .sdk()
    .links.create({ url: "https://example.com/welcome", key: "smoke", trackConversion: true });
  const response = await visit(server, "/smoke");
  assert.equal(response.status, 302);
  const clickId = new URL(response.headers.get("location") ?? "").searchParams.get("dub_id");
  assert.match(clickId ?? "", /^[0-9A-Za-z]{16}$/);
  const row = await server.one<{ link_id: string }>("select link_id from clicks where id = ?", clickId);
  assert.equal(row?.link_id, link.id);
});
