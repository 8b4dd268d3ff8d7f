import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { DASHBOARD_DIR } from "../../src/http/dashboard.js";
import { startServer, type TestServer } from "../helpers/server.js";

const get = (server: TestServer, path: string, headers: Record<string, string> = {}) =>
  fetch(`${server.origin}${path}`, { headers, redirect: "manual" });

describe("the dashboard's files at /app", () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.stop());

  test("every path under /app is the single page's index: not cached, framed by nobody, scripts from itself only", async () => {
    for (const path of ["/app", "/app/", "/app/some-workspace/links", "/app/setup?token=x"]) {
      const response = await get(server, path);
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
      assert.equal(response.headers.get("cache-control"), "no-cache");
      assert.match(
        response.headers.get("content-security-policy") ?? "",
        /default-src 'self'.*frame-ancestors 'none'/,
      );
      assert.match(await response.text(), /<div id="root">/);
    }
  });

  test("hashed assets are immutable and sent precompressed; a missing asset is a 404, not the index", async () => {
    const script = readdirSync(`${DASHBOARD_DIR}assets`).find((name) => /^index-.+\.js$/.test(name));
    assert.ok(script, "npm run build writes the app's entry script");
    const plain = await get(server, `/app/assets/${script}`);
    const plainBody = await plain.arrayBuffer();
    for (const encoding of ["br", "gzip"]) {
      const response = await get(server, `/app/assets/${script}`, { "accept-encoding": encoding });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-encoding"), encoding);
      assert.equal(response.headers.get("cache-control"), "public, max-age=31536000, immutable");
      assert.ok(Number(response.headers.get("content-length")) < plainBody.byteLength / 2);
      // fetch decodes the body: it must be the same script.
      assert.equal(Buffer.from(await response.arrayBuffer()).compare(Buffer.from(plainBody)), 0);
    }
    const missing = await get(server, "/app/assets/index-missing.js");
    assert.equal(missing.status, 404);
  });
});
