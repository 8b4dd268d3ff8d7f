// The error envelope on the wire (raw HTTP), body parsing edge cases, 500s without internals, and the OpenAPI document.
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, before, describe, test } from "node:test";
import { rejection } from "../helpers/rejection.js";
import { startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
/** RATE_LIMIT_PER_MINUTE=1: the second authenticated call of a key is a 429. */
let limited: TestServer;

before(async () => {
  [server, limited] = await Promise.all([startServer(), startServer({ RATE_LIMIT_PER_MINUTE: "1" })]);
});
after(async () => {
  await Promise.all([server?.stop(), limited?.stop()]);
});

const api = (path: string, init: RequestInit = {}, target = server) =>
  fetch(`${target.origin}/api${path}`, init);
const auth = (key = server.key) => ({ authorization: `Bearer ${key}` });
const json = { "content-type": "application/json" };
const INVALID_JSON =
  "Invalid JSON format in request body. Please ensure the request body is a valid JSON object.";

/** Sends exactly these bytes of headers and body with node:http (fetch would normalise them). */
function rawRequest(
  target: TestServer,
  options: { method: string; path: string; headers: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(target.origin);
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: options.method,
        path: options.path,
        headers: options.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

describe("every error status has Dub's envelope and the one code for its status", () => {
  test("400 bad_request: an Authorization header without Bearer", async () => {
    await rejection(api("/links", { headers: { authorization: server.key } }), 400);
  });

  test("401 unauthorized: no header, and an unknown key", async () => {
    await rejection(api("/links"), 401, { message: "Missing Authorization header." });
    await rejection(api("/links", { headers: auth("dub_unknown") }), 401);
  });

  test("403 forbidden: a key without the scope", async () => {
    const { key } = await server.newWorkspace(["links.read"]);
    const { message } = await rejection(
      await api("/links", {
        method: "POST",
        headers: { ...auth(key), ...json },
        body: JSON.stringify({ url: "https://example.com/" }),
      }),
      403,
    );
    assert.match(message, /links\.write/);
  });

  test("404 not_found: an unknown link, by id and by lookup", async () => {
    await rejection(api("/links/link_unknown", { headers: auth() }), 404);
    await rejection(api("/links/info?domain=nowhere.test&key=nothing", { headers: auth() }), 404);
    await rejection(
      await api("/links/link_unknown", { method: "PATCH", headers: { ...auth(), ...json }, body: "{}" }),
      404,
    );
    await rejection(api("/links/link_unknown", { method: "DELETE", headers: auth() }), 404);
  });

  test("409 conflict: a duplicate key", async () => {
    const body = JSON.stringify({ url: "https://example.com/dup", key: "errors-dup" });
    const first = await api("/links", { method: "POST", headers: { ...auth(), ...json }, body });
    assert.equal(first.status, 200);
    await rejection(api("/links", { method: "POST", headers: { ...auth(), ...json }, body }), 409);
  });

  test("422 unprocessable_entity: a bad URL, a missing URL, a reserved key", async () => {
    const post = (body: unknown) =>
      api("/links", { method: "POST", headers: { ...auth(), ...json }, body: JSON.stringify(body) });
    await rejection(post({ url: "javascript:alert(1)" }), 422);
    await rejection(post({}), 422);
    await rejection(post({ url: "https://example.com/", key: "api" }), 422);
    await rejection(post({ url: "https://example.com/", password: "x".repeat(129) }), 422);
  });

  test("429 rate_limit_exceeded", async () => {
    const first = await api("/links", { headers: auth(limited.key) }, limited);
    assert.equal(first.status, 200);
    const response = await api("/links", { headers: auth(limited.key) }, limited);
    assert.match(response.headers.get("retry-after") ?? "", /^\d+$/);
    await rejection(response, 429, { message: "Too many requests." });
  });
});

describe("request bodies", () => {
  test("malformed JSON is 400 with Dub's message", async () => {
    for (const body of ["{", "{'url': 'x'}", "not json", '{"url": "https://example.com/"', "[1,2"]) {
      const response = await api("/links", { method: "POST", headers: { ...auth(), ...json }, body });
      await rejection(response, 400, { message: INVALID_JSON, what: body });
    }
  });

  test("a POST with no body and an empty Content-Type header is 400 JSON (as the Go SDK sends it)", async () => {
    const response = await rawRequest(server, {
      method: "POST",
      path: "/api/links",
      headers: { Authorization: `Bearer ${server.key}`, "Content-Type": "", "Content-Length": "0" },
    });
    await rejection(response, 400, { message: INVALID_JSON });

    // No Content-Type at all, and application/json with an empty body, are the same.
    const variants: Record<string, string>[] = [
      { Authorization: `Bearer ${server.key}`, "Content-Length": "0" },
      { Authorization: `Bearer ${server.key}`, "Content-Type": "application/json", "Content-Length": "0" },
    ];
    for (const headers of variants) {
      const other = await rawRequest(server, { method: "POST", path: "/api/links", headers });
      await rejection(other, 400);
    }
  });

  test("a body with an empty Content-Type header is still read as JSON", async () => {
    const body = JSON.stringify({ url: "https://example.com/empty-content-type" });
    const response = await rawRequest(server, {
      method: "POST",
      path: "/api/links",
      headers: {
        Authorization: `Bearer ${server.key}`,
        "Content-Type": "",
        "Content-Length": String(Buffer.byteLength(body)),
      },
      body,
    });
    assert.equal(response.status, 200, response.body);
    assert.equal(
      (JSON.parse(response.body) as { url: string }).url,
      "https://example.com/empty-content-type",
    );
  });

  test("a text/plain body holding valid JSON is accepted", async () => {
    const response = await api("/links", {
      method: "POST",
      headers: { ...auth(), "content-type": "text/plain;charset=UTF-8" },
      body: JSON.stringify({ url: "https://example.com/text-plain", key: "text-plain" }),
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
    const link = (await response.json()) as { key: string; url: string; id: string };
    assert.equal(link.key, "text-plain");
    const row = await server.one<{ url: string }>("select url from links where id = ?", link.id);
    assert.equal(row?.url, "https://example.com/text-plain");
  });

  test("a body over 1 MB gets a JSON error, not a dropped connection, and nothing is stored", async () => {
    const comments = "x".repeat(1024 * 1024 + 10);
    const response = await api("/links", {
      method: "POST",
      headers: { ...auth(), ...json },
      body: JSON.stringify({ url: "https://example.com/huge", comments }),
    });
    const { message } = await rejection(response, 400);
    assert.match(message, /1 MB/);
    const count = await server.one<{ n: number }>(
      "select count(*) as n from links where url = 'https://example.com/huge'",
    );
    assert.equal(Number(count?.n), 0);

    // The server keeps serving afterwards.
    assert.equal((await api("/links?pageSize=1", { headers: auth() })).status, 200);
  });

  test("a chunked body over 1 MB (no Content-Length) gets the same JSON error", async () => {
    const bytes = new TextEncoder().encode(
      JSON.stringify({ url: "https://example.com/chunked", comments: "x".repeat(2 * 1024 * 1024) }),
    );
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 64 * 1024) controller.enqueue(bytes.slice(i, i + 64 * 1024));
        controller.close();
      },
    });
    const response = await api("/links", {
      method: "POST",
      headers: { ...auth(), ...json },
      body,
      duplex: "half",
    } as RequestInit);
    await rejection(response, 400, { message: /1 MB/ });
  });

  test("a body just under 1 MB is read (and rejected by field validation, not by size)", async () => {
    const comments = "x".repeat(1024 * 1024 - 200);
    const response = await api("/links", {
      method: "POST",
      headers: { ...auth(), ...json },
      body: JSON.stringify({ url: "https://example.com/big", comments }),
    });
    const { message } = await rejection(response, 422);
    assert.match(message, /^too_big: comments: /);
  });
});

describe("routes and validation messages", () => {
  test("an unknown route under /api is 404 JSON, with or without a key", async () => {
    for (const [method, path, headers] of [
      ["GET", "/api/nope", {}],
      ["GET", "/api/nope", auth()],
      ["POST", "/api/track/nothing-here", auth()],
      ["GET", "/api/links/a/b/c", auth()],
      ["PUT", "/api/links", auth()],
      ["GET", "/api", {}],
    ] as const) {
      const response = await fetch(`${server.origin}${path}`, { method, headers });
      const { message } = await rejection(response, 404);
      assert.match(message, new RegExp(`${method} ${path}`));
    }
  });

  test("a zod failure reads '<issue code>: <path>: <message>'", async () => {
    const query = async (search: string) =>
      (await rejection(api(`/links?${search}`, { headers: auth() }), 422)).message;
    assert.match(await query("pageSize=101"), /^too_big: pageSize: \S.*/);
    assert.match(await query("pageSize=0"), /^too_small: pageSize: \S.*/);
    assert.match(await query("pageSize=ten"), /^invalid_type: pageSize: \S.*/);
    assert.match(await query("sortOrder=sideways"), /^invalid_value: sortOrder: \S.*/);
    assert.match(await query("showArchived=maybe"), /^invalid_value: showArchived: \S.*/);

    const post = async (body: unknown) =>
      (
        await rejection(
          api("/links", { method: "POST", headers: { ...auth(), ...json }, body: JSON.stringify(body) }),
          422,
        )
      ).message;
    assert.match(await post({}), /^invalid_type: url: \S.*/);
    assert.match(await post({ url: 42 }), /^invalid_type: url: \S.*/);
    assert.match(await post({ url: "https://example.com/", key: "a".repeat(191) }), /^too_big: key: \S.*/);
    assert.match(
      await post({ url: "https://example.com/", trackConversion: "yes" }),
      /^invalid_type: trackConversion: \S.*/,
    );
    assert.match(
      await post({ url: "https://example.com/", expiresAt: "someday" }),
      /^custom: expiresAt: \S.*/,
    );
    assert.equal(await post({ url: "ftp://example.com/" }), "Invalid destination URL", "Dub's words alone");
  });

  test("GET /api/openapi.json is an OpenAPI 3 document listing the links operations", async () => {
    const response = await fetch(`${server.origin}/api/openapi.json`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
    const doc = (await response.json()) as {
      openapi: string;
      servers?: { url: string }[];
      paths: Record<string, Record<string, { operationId?: string }>>;
    };
    assert.match(doc.openapi, /^3\.\d+\.\d+$/);

    const operations = new Map<string, string>();
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        if (operation?.operationId) operations.set(operation.operationId, `${method.toUpperCase()} ${path}`);
      }
    }
    const base = doc.servers?.[0]?.url ?? "";
    const expected: Record<string, string> = {
      createLink: "POST /links",
      getLinks: "GET /links",
      getLinkInfo: "GET /links/info",
      upsertLink: "PUT /links/upsert",
      getLink: "GET /links/{linkId}",
      updateLink: "PATCH /links/{linkId}",
      deleteLink: "DELETE /links/{linkId}",
    };
    for (const [operationId, route] of Object.entries(expected)) {
      const found = operations.get(operationId);
      assert.ok(found, `${operationId} is listed`);
      // The server URL plus the path must be where the operation really is: /api/links…
      const [method, path] = found.split(" ");
      assert.equal(`${method} ${base}${path}`, route.replace(" /", " /api/"), operationId);
    }
  });
});

describe("unexpected failures", () => {
  test("an exception is 500 internal_server_error without internals; the SDK raises InternalServerError", async () => {
    const broken = await startServer();
    try {
      await broken.storage.db.destroy();
      const response = await fetch(`${broken.origin}/api/links`, { headers: auth(broken.key) });
      const { message } = await rejection(response, 500);
      assert.match(message, /^An internal server error occurred/);
      for (const leak of [
        /\bat .*\(/,
        /\.ts:\d+/,
        /sqlite/i,
        /select /i,
        /kysely/i,
        /driver/i,
        /destroy/i,
        /node_modules/,
      ]) {
        assert.doesNotMatch(message, leak);
      }

      const create = await fetch(`${broken.origin}/api/links`, {
        method: "POST",
        headers: { ...auth(broken.key), ...json },
        body: JSON.stringify({ url: "https://example.com/" }),
      });
      await rejection(create, 500);

      await rejection(broken.sdk().links.list(), 500);

      // Routes that need no database still answer.
      assert.equal((await fetch(`${broken.origin}/healthz`)).status, 200);
    } finally {
      await broken.stop();
    }
  });
});

describe("hostile input is refused at the edge, the same on every store, and nothing is written", () => {
  const tables = ["links", "customers", "lead_events", "sale_events", "clicks"];
  const counts = async () =>
    Promise.all(
      tables.map(async (table) =>
        Number((await server.one<{ n: number }>(`select count(*) as n from ${table}`))?.n),
      ),
    );
  const post = (path: string, body: string) =>
    api(path, { method: "POST", headers: { ...auth(), ...json }, body });
  const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;

  test("metadata nested 5000 levels deep is 400 on /track/lead and /track/sale", async () => {
    const before = await counts();
    const lead = await post(
      "/track/lead",
      `{"clickId":"c","eventName":"Sign up","customerExternalId":"deep","metadata":${nested(5000)}}`,
    );
    await rejection(lead, 400, { message: /nested more than 64 levels/ });
    const sale = await post(
      "/track/sale",
      `{"customerExternalId":"deep","amount":100,"metadata":${nested(5000)}}`,
    );
    await rejection(sale, 400, { message: /nested more than 64 levels/ });
    assert.deepEqual(await counts(), before);
  });

  test("NUL or a lone surrogate anywhere in a body, as a value or a key, is 400", async () => {
    const before = await counts();
    for (const body of [
      '{"url":"https://example.com/a\\u0000b"}',
      '{"url":"https://example.com/","title":"x\\u0000"}',
      '{"url":"https://example.com/","title":"\\ud800"}',
      '{"url":"https://example.com/","\\u0000":1}',
    ]) {
      await rejection(post("/links", body), 400, {
        message: /NUL character or a lone surrogate/,
        what: body,
      });
    }
    const lead = await post(
      "/track/lead",
      '{"clickId":"c","eventName":"x","customerExternalId":"a\\u0000b"}',
    );
    await rejection(lead, 400);
    assert.deepEqual(await counts(), before);
  });

  test("%00 in a path or query is 400 on the API and the not-found page on a short link", async () => {
    for (const path of [
      "/links/link_a%00b",
      "/links?search=a%00b",
      "/links/info?key=a%00",
      "/customers/%00",
    ]) {
      await rejection(api(path, { headers: auth() }), 400, { message: /NUL/, what: path });
    }
    const redirect = await fetch(`${server.origin}/a%00b`, { redirect: "manual" });
    assert.equal(redirect.status, 404);
    assert.match(redirect.headers.get("content-type") ?? "", /text\/html/);
  });

  test("a bad percent-escape is Dub's 400 on the API and the not-found page on a short link", async () => {
    const apiAnswer = await api("/links/%ZZ", { headers: auth() });
    await rejection(apiAnswer, 400, { message: /malformed/ });
    const redirect = await fetch(`${server.origin}/%ZZ`, { redirect: "manual" });
    assert.equal(redirect.status, 404);
  });

  test("headers over 16 KB get 431 with Dub's envelope", async () => {
    const answer = await rawRequest(server, {
      method: "GET",
      path: "/api/links",
      headers: { ...auth(), "x-padding": "a".repeat(20_000) },
    });
    await rejection(answer, 431, { code: "bad_request" });
  });

  test("dates: only ISO 8601 between 1970 and 9999 with real calendar fields; others are 422", async () => {
    for (const start of ["-271821-04-20", "2024-02-31", "1", "0999-01-01", "2024-01-01T24:00"]) {
      const answer = await api(`/analytics?groupBy=timeseries&start=${start}`, { headers: auth() });
      await rejection(answer, 422);
    }
    for (const expiresAt of ["1", "-271821-04-20", "+275760-09-13T00:00:00Z", "2024-13-01", "tomorrow"]) {
      const answer = await post("/links", JSON.stringify({ url: "https://example.com/", expiresAt }));
      await rejection(answer, 422, { message: /expiresAt/, what: expiresAt });
    }
    const withOffset = await post(
      "/links",
      JSON.stringify({ url: "https://example.com/", expiresAt: "2030-05-01T10:00:00+02:00" }),
    );
    assert.equal(withOffset.status, 200);
    assert.equal(((await withOffset.json()) as { expiresAt: string }).expiresAt, "2030-05-01T08:00:00.000Z");
  });

  test("keys . and .., and over-long customer and click ids, are 422", async () => {
    for (const key of [".", ".."]) {
      const answer = await post("/links", JSON.stringify({ url: "https://example.com/", key }));
      await rejection(answer, 422, { message: /key/, what: key });
    }
    const long = "x".repeat(256);
    for (const body of [
      { clickId: "c", eventName: "x", customerExternalId: long },
      { clickId: long, eventName: "x", customerExternalId: "a" },
    ]) {
      await rejection(post("/track/lead", JSON.stringify(body)), 422);
    }
    await rejection(post("/track/sale", JSON.stringify({ customerExternalId: long, amount: 1 })), 422);
  });

  test("a 190-character key redirects", async () => {
    const key = "k".repeat(190);
    assert.equal(
      (await post("/links", JSON.stringify({ url: "https://example.com/long", key }))).status,
      200,
    );
    const answer = await fetch(`${server.origin}/${key}`, { redirect: "manual" });
    assert.equal(answer.status, 302);
    assert.equal(answer.headers.get("location"), "https://example.com/long");
  });

  test("an expired link's expiredUrl with CR/LF and non-ASCII is sent as a clean Location", async () => {
    const created = await post(
      "/links",
      JSON.stringify({
        url: "https://example.com/",
        expiresAt: "2020-01-01",
        expiredUrl: "https://example.com/gone\r\n/caf\u00e9?q=\r\n1",
      }),
    );
    assert.equal(created.status, 200, await created.clone().text());
    const { key } = (await created.json()) as { key: string };
    const answer = await fetch(`${server.origin}/${key}`, { redirect: "manual" });
    assert.equal(answer.status, 302);
    assert.equal(answer.headers.get("location"), "https://example.com/gone/caf%C3%A9?q=1");
  });
});
