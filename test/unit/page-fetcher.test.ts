// The page fetcher behind GET /api/metatags, against real HTTP servers on the loopback interface: every hop of a
// redirect is vetted before anything is sent to it, and the size and time limits keep what arrived.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import type { FetchedPage } from "../../src/domain/metatags/ports.js";
import { AddressRefused } from "../../src/infra/address-policy.js";
import { pageFetcher } from "../../src/infra/page-fetcher.js";

type Fixture = {
  origin: string;
  requests: string[];
  /** How each answer ended: "finished" (all sent) or "cut" (the client closed first). */
  endings: string[];
  close(): Promise<void>;
};

const servers: Fixture[] = [];
after(() => Promise.all(servers.map((server) => server.close())));

async function fixture(
  handle: (request: IncomingMessage, response: ServerResponse, fixture: Fixture) => void,
  host = "127.0.0.1",
): Promise<Fixture> {
  const server: Server = createServer();
  const started: Fixture = {
    origin: "",
    requests: [],
    endings: [],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on("request", (request, response) => {
    started.requests.push(request.url ?? "");
    response.on("finish", () => started.endings.push("finished"));
    response.on("close", () => {
      if (!response.writableFinished) started.endings.push("cut");
    });
    handle(request, response, started);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  started.origin = `http://${host}:${(server.address() as AddressInfo).port}`;
  servers.push(started);
  return started;
}

/** Vets like the policy, but only 127.0.0.1 counts as allowed: the rest of 127/8 stands in for private networks. */
const onlyFirstLoopback = async (url: URL) => {
  if (url.hostname !== "127.0.0.1") throw new AddressRefused(`${url.hostname} is not allowed`);
  return { address: "127.0.0.1", family: 4 as const };
};

const fetcher = (options: Partial<Parameters<typeof pageFetcher>[0]> = {}) =>
  pageFetcher({ timeoutMs: 5_000, allowPrivate: true, resolve: onlyFirstLoopback, ...options });

const text = (page: FetchedPage) => {
  assert.equal(page.kind, "page", JSON.stringify(page));
  return page.kind === "page" ? Buffer.from(page.body).toString("utf8") : "";
};

describe("page fetcher", () => {
  test("follows a redirect to an allowed address and reports the final URL", async () => {
    const site = await fixture((request, response) => {
      if (request.url === "/old") return response.writeHead(301, { location: "/new?x=1" }).end();
      response.writeHead(200, { "content-type": "text/html" }).end("<title>new</title>");
    });
    const page = await fetcher()(new URL(`${site.origin}/old`));
    assert.equal(text(page), "<title>new</title>");
    assert.equal(page.kind === "page" && page.url, `${site.origin}/new?x=1`);
    assert.deepEqual(site.requests, ["/old", "/new?x=1"]);
  });

  test("a redirect to an address the policy refuses is refused before anything is sent there", async () => {
    const hidden = await fixture((_request, response) => response.end("secret"), "127.0.0.2");
    const site = await fixture((_request, response) =>
      response.writeHead(302, { location: `${hidden.origin}/admin` }).end(),
    );
    const page = await fetcher()(new URL(`${site.origin}/go`));
    assert.equal(page.kind, "refused");
    assert.match(page.kind === "refused" ? page.reason : "", /127\.0\.0\.2 is not allowed/);
    assert.deepEqual(site.requests, ["/go"]);
    assert.deepEqual(hidden.requests, []);
  });

  test("the first address is vetted too, and the default policy refuses loopback without allowPrivate", async () => {
    const site = await fixture((_request, response) => response.end("<title>x</title>"));
    const strict = pageFetcher({ timeoutMs: 5_000, allowPrivate: false });
    for (const url of [
      `${site.origin}/`,
      `http://[::1]:${new URL(site.origin).port}/`,
      "http://2130706433/",
    ]) {
      const page = await strict(new URL(url));
      assert.equal(page.kind, "refused", url);
    }
    assert.deepEqual(site.requests, []);
  });

  test("stops after five redirects, and at a redirect to another scheme", async () => {
    const site = await fixture((request, response) => {
      if (request.url === "/ftp") return response.writeHead(302, { location: "ftp://127.0.0.1/x" }).end();
      const n = Number(request.url?.slice(1));
      response.writeHead(302, { location: `/${n + 1}` }).end();
    });
    const looping = await fetcher()(new URL(`${site.origin}/0`));
    assert.deepEqual(looping, { kind: "unreachable", reason: "more than 5 redirects" });
    assert.deepEqual(site.requests, ["/0", "/1", "/2", "/3", "/4", "/5"]);
    assert.equal((await fetcher()(new URL(`${site.origin}/ftp`))).kind, "unreachable");
  });

  test("reads at most maxBytes of an endless body, then hangs up", async () => {
    let written = 0;
    const site = await fixture((_request, response) => {
      response.writeHead(200, { "content-type": "text/html" });
      const chunk = "a".repeat(16_384);
      const more = () => {
        while (!response.destroyed) {
          written += chunk.length;
          if (!response.write(chunk)) return response.once("drain", more);
        }
      };
      more();
    });
    const page = await fetcher({ maxBytes: 10_000, timeoutMs: 60_000 })(new URL(`${site.origin}/endless`));
    assert.equal(text(page).length, 10_000);
    await until(() => site.endings.length > 0);
    assert.deepEqual(site.endings, ["cut"]);
    // What the socket buffers took before the hang-up, not the minute of streaming the time limit would allow.
    assert.ok(written < 64 * 1024 * 1024, `${written} bytes written`);
  });

  test("decompresses gzip, and the limit counts decompressed bytes", async () => {
    const html = `<title>zipped</title>${" ".repeat(200_000)}`;
    const site = await fixture((_request, response) =>
      response
        .writeHead(200, { "content-type": "text/html", "content-encoding": "gzip" })
        .end(gzipSync(html)),
    );
    assert.equal(text(await fetcher()(new URL(site.origin))), html);
    assert.equal(text(await fetcher({ maxBytes: 21 })(new URL(site.origin))), "<title>zipped</title>");
  });

  test("at the time limit, a body keeps what arrived; no answer at all is unreachable", async () => {
    const site = await fixture((request, response) => {
      if (request.url === "/hang") return;
      response.writeHead(200, { "content-type": "text/html" });
      response.write("<title>early</title>");
    });
    const quick = fetcher({ timeoutMs: 300 });
    assert.equal(text(await quick(new URL(`${site.origin}/stall`))), "<title>early</title>");
    assert.deepEqual(await quick(new URL(`${site.origin}/hang`)), {
      kind: "unreachable",
      reason: "no answer within the time limit",
    });
  });

  test("a refused connection is unreachable; an error status is still a page", async () => {
    const site = await fixture((_request, response) =>
      response.writeHead(404).end("<title>Not found</title>"),
    );
    const page = await fetcher()(new URL(site.origin));
    assert.equal(page.kind === "page" && page.status, 404);
    const port = new URL(site.origin).port;
    await site.close();
    assert.equal((await fetcher()(new URL(`http://127.0.0.1:${port}/`))).kind, "unreachable");
  });
});

async function until(condition: () => boolean) {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}
