// Property-based fuzzing of HTTP itself, as a hand-written client or an attacker speaks it: odd methods and
// request targets, raw bytes in the path, headers too large or too many, malformed header lines, contradictory
// body framing, other protocol versions. These mostly fail before any route runs, in Node's HTTP parser or
// fastify's router, which is where an answer most easily escapes Dub's error envelope.
//
// Properties: no 5xx, no hang, a complete answer, and on /api Dub's envelope with the code of the status.
// Budget and replay: see the top of api.fuzz.test.ts (CLICKTRAIL_FUZZ_SEED, _RUNS, _SECONDS).
import { after, describe, test } from "node:test";
import fc from "fast-check";
import { exchange, fuzz, SEED } from "./support/fuzz.js";
import { RAW_URL_FRAGMENTS } from "./support/hostile.js";
import type { RawRequest } from "./support/raw-http.js";
import { startWorld } from "./support/world.js";

const world = await startWorld();
after(() => world.stop());
const { server } = world;
const auth: [string, string] = ["authorization", `Bearer ${world.keys.main}`];

/** Paths of every kind of route, their ids replaced by `{}`. */
const ROUTES = [
  "/api/links",
  "/api/links/{}",
  "/api/links/info",
  "/api/track/lead",
  "/api/track/sale",
  "/api/track/click",
  "/api/analytics",
  "/api/events/export",
  "/api/customers/{}",
  "/api/webhooks/{}/events",
  "/api/qr",
  "/api/openapi.json",
  "/api/nowhere",
  "/{}",
  "/healthz",
  "/script.js",
];

/** Raw bytes in a path (written as latin1): NUL, controls, spaces, UTF-8 and invalid UTF-8, dot segments. */
const RAW_SEGMENTS = [
  ...RAW_URL_FRAGMENTS,
  "\u0000",
  "a\u0000b",
  "\u0001",
  "\u007f",
  "a b",
  "a\tb",
  "\u00c3\u00a9",
  "\u00ff\u00fe",
  "\u00ed\u00a0\u0080",
  "<script>",
  '"',
  "{}",
  "|",
  "^",
  "`",
  "x".repeat(120),
  "%41".repeat(60),
];

const target = fc
  .tuple(
    fc.constantFrom(...ROUTES),
    fc.constantFrom(...RAW_SEGMENTS, "fz-tracked", world.ids.links[0]),
    fc.constantFrom(
      "",
      "",
      "?",
      "?a=1&a=2",
      "?%ZZ=%ZZ",
      "#frag",
      "/",
      "//",
      "/..",
      "/./x",
      "?\u0000",
      "?a=\u00c3\u00a9",
    ),
    fc.constantFrom("origin", "origin", "origin", "absolute", "double-slash", "upper"),
  )
  .map(([route, segment, suffix, form]) => {
    const path = route.replace("{}", segment) + suffix;
    if (form === "absolute") return `http://${server.host}${path}`;
    if (form === "double-slash") return `/${path}`;
    if (form === "upper") return path.toUpperCase();
    return path;
  });

type Shape = { name: string; apply(request: RawRequest): RawRequest };

/** One thing wrong (or merely unusual) with a request's framing, version or headers. */
const SHAPES: Shape[] = [
  { name: "plain", apply: (request) => request },
  {
    name: "a 17 KB header",
    apply: (r) => ({ ...r, headers: [...r.headers, ["x-big", "b".repeat(17_000)]] }),
  },
  {
    name: "an 8 KB cookie",
    apply: (r) => ({ ...r, headers: [...r.headers, ["cookie", `a=${"c".repeat(8_000)}`]] }),
  },
  {
    name: "300 headers",
    apply: (r) => ({
      ...r,
      headers: [
        ...r.headers,
        ...Array.from({ length: 300 }, (_, i): [string, string] => [`x-h${i}`, "v".repeat(60)]),
      ],
    }),
  },
  {
    name: "2100 tiny headers",
    apply: (r) => ({
      ...r,
      headers: [...r.headers, ...Array.from({ length: 2_100 }, (_, i): [string, string] => [`h${i}`, ""])],
    }),
  },
  { name: "a header name with a space", apply: (r) => ({ ...r, headers: [...r.headers, ["x bad", "1"]] }) },
  {
    name: "a header value with NUL",
    apply: (r) => ({ ...r, headers: [...r.headers, ["x-nul", "a\u0000b"]] }),
  },
  {
    name: "a header value with a bare CR",
    apply: (r) => ({ ...r, headers: [...r.headers, ["x-cr", "a\rb"]] }),
  },
  { name: "an obs-folded header", apply: (r) => ({ ...r, headers: [...r.headers, ["x-fold", "a\r\n  b"]] }) },
  { name: "a header without a name", apply: (r) => ({ ...r, headers: [...r.headers, ["", "value"]] }) },
  { name: "two Host headers", apply: (r) => ({ ...r, headers: [...r.headers, ["host", "evil.example"]] }) },
  {
    name: "no Host header",
    apply: (r) => ({ ...r, headers: r.headers.filter(([name]) => name !== "host") }),
  },
  { name: "HTTP/1.0", apply: (r) => ({ ...r, version: "HTTP/1.0" }) },
  {
    name: "HTTP/1.0 without Host",
    apply: (r) => ({ ...r, version: "HTTP/1.0", headers: r.headers.filter(([n]) => n !== "host") }),
  },
  { name: "HTTP/2.0 on the request line", apply: (r) => ({ ...r, version: "HTTP/2.0" }) },
  { name: "HTTP/1.1 in lower case", apply: (r) => ({ ...r, version: "http/1.1" }) },
  { name: "a chunked body", apply: (r) => ({ ...r, body: r.body ?? Buffer.from("{}"), chunked: true }) },
  {
    name: "Content-Length and Transfer-Encoding",
    apply: (r) =>
      verbatim(
        r,
        [
          ["content-length", "2"],
          ["transfer-encoding", "chunked"],
        ],
        "2\r\n{}\r\n0\r\n\r\n",
      ),
  },
  {
    name: "two different Content-Lengths",
    apply: (r) =>
      verbatim(
        r,
        [
          ["content-length", "2"],
          ["content-length", "1"],
        ],
        "{}",
      ),
  },
  { name: "a negative Content-Length", apply: (r) => verbatim(r, [["content-length", "-1"]], "") },
  { name: "a non-numeric Content-Length", apply: (r) => verbatim(r, [["content-length", "1e1"]], "") },
  {
    name: "a Content-Length shorter than the body",
    apply: (r) => verbatim(r, [["content-length", "1"]], '{"url":1}'),
  },
  {
    name: "Transfer-Encoding gzip",
    apply: (r) => verbatim(r, [["transfer-encoding", "gzip, chunked"]], "2\r\n{}\r\n0\r\n\r\n"),
  },
  {
    name: "a malformed chunk",
    apply: (r) => verbatim(r, [["transfer-encoding", "chunked"]], "zz\r\n{}\r\n0\r\n\r\n"),
  },
  {
    name: "Content-Encoding gzip on plain JSON",
    apply: (r) => ({ ...r, body: Buffer.from("{}"), headers: [...r.headers, ["content-encoding", "gzip"]] }),
  },
  {
    name: "Expect: 100-continue",
    apply: (r) => ({
      ...r,
      body: r.body ?? Buffer.from("{}"),
      headers: [...r.headers, ["expect", "100-continue"]],
    }),
  },
  {
    name: "Upgrade: websocket",
    apply: (r) => ({ ...r, headers: [...r.headers, ["upgrade", "websocket"], ["connection", "upgrade"]] }),
  },
  {
    name: "Upgrade: h2c",
    apply: (r) => ({
      ...r,
      headers: [...r.headers, ["upgrade", "h2c"], ["http2-settings", "AAMAAABkAARAAAAAAAIAAAAA"]],
    }),
  },
];

/** `headers` plus these framing headers, and `body`, written exactly so (the connection closes after the answer). */
function verbatim(request: RawRequest, framing: [string, string][], body: string): RawRequest {
  return {
    ...request,
    headers: [...request.headers, ...framing, ["connection", "close"]],
    body: Buffer.from(body, "latin1"),
    verbatim: true,
  };
}

const requests = fc
  .record({
    method: fc.constantFrom(
      "GET",
      "POST",
      "PATCH",
      "PUT",
      "DELETE",
      "HEAD",
      "OPTIONS",
      "TRACE",
      "PROPFIND",
      "get",
      "G E T",
      "FOO",
    ),
    target,
    shape: fc.constantFrom(...SHAPES),
    body: fc.constantFrom(undefined, '{"url":"https://example.com/"}', "{"),
  })
  .map(({ method, target, shape, body }) => {
    const request = shape.apply({
      method,
      target,
      headers: [["host", server.host], auth, ["content-type", "application/json"]],
      body: body === undefined ? undefined : Buffer.from(body),
    });
    return Object.assign(request, {
      [fc.toStringMethod]: () =>
        `${method} ${JSON.stringify(target.slice(0, 200))} with ${shape.name}${body ? ` and body ${body}` : ""}`,
    });
  });

/** Whether fastify would route the request under /api (the API answers with Dub's envelope there). */
const underApi = (request: RawRequest) => /^(https?:\/\/[^/]*)?\/api(\/|\?|#|$)/.test(request.target);

describe(`HTTP on the wire (seed ${SEED})`, () => {
  test("malformed and unusual requests: no 5xx, a complete answer, Dub's envelope on /api", async () => {
    await fuzz(
      "test/fuzz/wire",
      requests,
      async (request) => {
        // Besides what a successful write may write, a GET that redirects is a visit: the first from a new visitor to
        // the tracked link records its click.
        await exchange(world, request, {
          api: underApi(request),
          asIs: true,
          writes: (answer) =>
            request.method === "GET"
              ? answer.status === 302
              : answer.status < 400 && !["HEAD", "OPTIONS"].includes(request.method),
        });
      },
      150,
    );
  });
});
