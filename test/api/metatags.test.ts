// GET /api/metatags?url=: Metatags.Get of the seed-era Go SDK (the `dub` npm SDK 0.73.5 has none), against pages
// served on 127.0.0.1. A server with WEBHOOK_ALLOW_PRIVATE=true may fetch them; one without refuses them, and the
// page server then sees no request at all.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { PAGE_MAX_BYTES } from "../../src/infra/page-fetcher.js";
import { rawRequest } from "../helpers/journey.js";
import { rejection } from "../helpers/rejection.js";
import { startServer, type TestServer } from "../helpers/server.js";

const SEED_UA = "speakeasy-sdk/go 0.9.7 2.428.1 0.0.1 github.com/dubinc/dub-go";

const PAGES: Record<string, (response: ServerResponse) => void> = {
  "/product": (response) =>
    html(
      response,
      `<!doctype html><html><head><meta charset="utf-8">
      <title>Trail Shoe – Shop</title>
      <meta name="description" content="Light &amp; fast, for rocky trails.">
      <meta property="og:title" content="Trail Shoe">
      <meta property="og:image" content="/img/shoe.jpg">
      </head><body><h1>Trail Shoe</h1></body></html>`,
    ),
  "/plain": (response) => html(response, "<html><title>Just a title</title></html>"),
  "/moved": (response) => response.writeHead(301, { location: "/product" }).end(),
  "/loop": (response) => response.writeHead(302, { location: "/loop" }).end(),
  "/json": (response) =>
    response.writeHead(200, { "content-type": "application/json" }).end('{"title":"not a page"}'),
  "/image": (response) => response.writeHead(200, { "content-type": "image/png" }).end(Buffer.alloc(64)),
  "/missing": (response) =>
    response.writeHead(404, { "content-type": "text/html" }).end("<title>Page not found</title>"),
  "/broken": (response) =>
    response.writeHead(500, { "content-type": "text/html" }).end("<title>Server error</title>"),
  "/latin1": (response) =>
    response
      .writeHead(200, { "content-type": "text/html; charset=iso-8859-1" })
      .end(Buffer.from("<title>Caf\u00e9 cr\u00e8me</title>", "latin1")),
  "/gzip": (response) =>
    response
      .writeHead(200, { "content-type": "text/html", "content-encoding": "gzip" })
      .end(gzipSync('<meta property="og:title" content="Compressed">')),
  // The <title> arrives at once; the og:title only after more than the size limit.
  "/huge": (response) => {
    response.writeHead(200, { "content-type": "text/html" });
    response.write("<html><head><title>Early title</title><!--");
    response.write("x".repeat(PAGE_MAX_BYTES));
    response.end('--><meta property="og:title" content="Too late"></head></html>');
  },
  // Headers and the <title>, then nothing more.
  "/stall": (response) => {
    response.writeHead(200, { "content-type": "text/html" });
    response.write('<html><head><title>Slow page</title><meta name="description" content="arrived"');
  },
  "/hang": () => {},
};

function html(response: ServerResponse, body: string) {
  response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(body);
}

let pages: Server;
let pageOrigin: string;
const requested: string[] = [];
/** Server with WEBHOOK_ALLOW_PRIVATE=true and a short time limit. */
let open: TestServer;
/** Defaults: no private addresses. */
let strict: TestServer;

before(async () => {
  pages = createServer((request: IncomingMessage, response: ServerResponse) => {
    requested.push(request.url ?? "");
    const page = PAGES[new URL(request.url ?? "/", "http://x").pathname];
    if (page) page(response);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => pages.listen(0, "127.0.0.1", resolve));
  pageOrigin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  [open, strict] = await Promise.all([
    startServer({ WEBHOOK_ALLOW_PRIVATE: "true", METATAGS_TIMEOUT_MS: "500" }),
    startServer(),
  ]);
});
after(async () => {
  await Promise.all([open?.stop(), strict?.stop()]);
  pages.closeAllConnections();
  await new Promise((resolve) => pages.close(resolve));
});

/** Metatags.Get as the seed SDK sends it. */
function metatags(server: TestServer, url: string | undefined, key = server.key) {
  const query = url === undefined ? "" : `?url=${encodeURIComponent(url)}`;
  return rawRequest(`${server.origin}/api/metatags${query}`, {
    method: "GET",
    headers: { Authorization: `Bearer ${key}`, Accept: "application/json", "User-Agent": SEED_UA },
  });
}

/** 200, JSON, and exactly the three keys the seed SDK reads (each a string or null). */
async function tags(server: TestServer, url: string) {
  const response = await metatags(server, url);
  assert.equal(response.status, 200, response.text);
  assert.match(String(response.headers["content-type"]), /^application\/json(;|$)/);
  const body = JSON.parse(response.text);
  assert.deepEqual(Object.keys(body).sort(), ["description", "image", "title"]);
  for (const value of Object.values(body)) assert.ok(value === null || typeof value === "string");
  return body;
}

const NOTHING = { title: null, description: null, image: null };

describe("Metatags.Get", () => {
  test("a page's Open Graph title, its description and its image made absolute", async () => {
    assert.deepEqual(await tags(open, `${pageOrigin}/product?utm_source=x`), {
      title: "Trail Shoe",
      description: "Light & fast, for rocky trails.",
      image: `${pageOrigin}/img/shoe.jpg`,
    });
    assert.deepEqual(await tags(open, `${pageOrigin}/plain`), {
      title: "Just a title",
      description: null,
      image: null,
    });
  });

  test("follows redirects to the final page, and gives up on a loop", async () => {
    assert.equal((await tags(open, `${pageOrigin}/moved`)).title, "Trail Shoe");
    const before = requested.filter((path) => path === "/loop").length;
    assert.deepEqual(await tags(open, `${pageOrigin}/loop`), NOTHING);
    assert.equal(
      requested.filter((path) => path === "/loop").length - before,
      6,
      "the first and five redirects",
    );
  });

  test("no page to read is all null: not HTML, an error status, nothing there", async () => {
    for (const path of ["/json", "/image", "/missing", "/broken", "/nothing-here"]) {
      assert.deepEqual(await tags(open, `${pageOrigin}${path}`), NOTHING, path);
    }
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    assert.deepEqual(await tags(open, `http://127.0.0.1:${port}/`), NOTHING, "connection refused");
  });

  test("the page's encoding and compression are honoured", async () => {
    assert.equal((await tags(open, `${pageOrigin}/latin1`)).title, "Café crème");
    assert.equal((await tags(open, `${pageOrigin}/gzip`)).title, "Compressed");
  });

  test("only the first megabyte is read", async () => {
    assert.deepEqual(await tags(open, `${pageOrigin}/huge`), {
      title: "Early title",
      description: null,
      image: null,
    });
  });

  test("at the time limit, what arrived counts; a server that never answers gives nothing", async () => {
    assert.deepEqual(await tags(open, `${pageOrigin}/stall`), {
      title: "Slow page",
      description: null,
      image: null,
    });
    assert.deepEqual(await tags(open, `${pageOrigin}/hang`), NOTHING);
  });

  test("a URL that is no http(s) URL is a 422; without a scheme it means https", async () => {
    for (const url of [
      "ftp://127.0.0.1/x",
      "javascript:alert(1)",
      "file:///etc/passwd",
      "http://",
      "https://a b",
    ]) {
      await rejection(metatags(open, url), 422, { message: /^custom: url: /, what: url });
    }
    await rejection(metatags(open, undefined), 422, { message: /url/ });
    await rejection(metatags(open, ""), 422, { message: /url/ });
    // "127.0.0.1:PORT/plain" is https://…: a TLS handshake the plain HTTP page server cannot answer.
    const count = requested.length;
    assert.deepEqual(await tags(open, `${pageOrigin.slice("http://".length)}/plain`), NOTHING);
    assert.equal(requested.length, count, "no HTTP request was understood");
  });

  test("needs a key with links.read", async () => {
    const anonymous = await rawRequest(`${open.origin}/api/metatags?url=${encodeURIComponent(pageOrigin)}`, {
      method: "GET",
      headers: { "User-Agent": SEED_UA },
    });
    await rejection(anonymous, 401);
    const analytics = await open.services.workspaces.createKey({
      workspaceId: open.workspaceId,
      scopes: ["analytics.read"],
    });
    await rejection(metatags(open, `${pageOrigin}/plain`, analytics.key), 403, { message: /'links\.read'/ });
    const reader = await open.services.workspaces.createKey({
      workspaceId: open.workspaceId,
      scopes: ["links.read"],
    });
    const response = await metatags(open, `${pageOrigin}/plain`, reader.key);
    assert.equal(response.status, 200);
  });
});

describe("Metatags.Get without WEBHOOK_ALLOW_PRIVATE", () => {
  test("loopback and private addresses, however written, are refused before anything is sent", async () => {
    const port = new URL(pageOrigin).port;
    const count = requested.length;
    for (const url of [
      `${pageOrigin}/product`,
      `http://127.1:${port}/product`,
      `http://2130706433:${port}/product`,
      `http://0x7f.0.0.1:${port}/product`,
      `http://[::1]:${port}/product`,
      `http://[::ffff:127.0.0.1]:${port}/product`,
      `http://10.0.0.1:${port}/`,
      "http://169.254.169.254/latest/meta-data/",
      "http://0.0.0.0/",
    ]) {
      await rejection(metatags(strict, url), 422, {
        message: /^custom: url: .* a private or loopback address; only public addresses may be fetched$/,
        what: url,
      });
    }
    assert.equal(requested.length, count, "the page server got no request");
  });
});
