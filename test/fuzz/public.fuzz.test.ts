// Property-based fuzzing of the routes outside the OpenAPI document, which anyone can call without a key: short
// link redirects (GET and HEAD /:key, on every host), the browser's POST /api/track/click with its CORS preflight,
// /script.js, /healthz, /readyz, /metrics and the home page. Also: links created through the API with hostile
// destinations and then visited.
//
// Properties: no 5xx, no hang, a redirect's Location is an absolute http(s) URL, a refused visit or a HEAD writes
// nothing, /api/track/click answers every origin with CORS headers and records clicks only for allowed pages
// (Referer, else Origin), or for a workspace that names none.
// Budget and replay: see the top of api.fuzz.test.ts (CLICKTRAIL_FUZZ_SEED, _RUNS, _SECONDS).
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import fc from "fast-check";
import { BROWSER_UA } from "../helpers/server.js";
import { exchange, fuzz, SEED } from "./support/fuzz.js";
import {
  hostilePair,
  hostileUnitString,
  hostileUrlText,
  oddHeader,
  percentEncode,
  queryText,
  RAW_URL_FRAGMENTS,
} from "./support/hostile.js";
import { jsonText } from "./support/json-text.js";
import { mutated } from "./support/mutate.js";
import type { RawResponse } from "./support/raw-http.js";
import { printable, type RequestSpec, toRaw } from "./support/requests.js";
import { startWorld } from "./support/world.js";

const world = await startWorld();
after(() => world.stop());
const { server } = world;
const FILE = "test/fuzz/public";

/**
 * Any text a header value may hold: printable ASCII, tabs and latin1 bytes. Control characters make a request
 * malformed before any route sees it; wire.fuzz.test.ts sends those.
 */
const headerText = (maxLength: number) =>
  fc.string({
    unit: fc.oneof(
      fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }),
      fc.constantFrom("\t", "é", "\u00ff", "\u0080"),
    ),
    maxLength,
  });

const userAgent = fc.oneof(
  { weight: 4, arbitrary: fc.constant(BROWSER_UA) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "",
      "curl/8.5.0",
      "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
      "facebookexternalhit/1.1",
      `${BROWSER_UA} ${"(".repeat(2_000)}`,
      `Mozilla/5.0 ${"a;".repeat(3_000)}`,
    ),
  },
  { weight: 1, arbitrary: headerText(200) },
);

/** Visitor headers a proxy (TRUST_PROXY is on) or a browser could send, hostile or not. */
const visitorHeaders: fc.Arbitrary<[string, string][]> = fc
  .tuple(
    userAgent,
    fc.option(
      fc.constantFrom(
        "203.0.113.7",
        "203.0.113.7:5421",
        "[2001:db8::7]:443",
        "2001:db8::7",
        "::ffff:203.0.113.7",
        "not-an-ip",
        "999.1.1.1",
        "1.2.3.4, 5.6.7.8",
        "",
        " , ,",
        "unknown",
        "1.2.3.4".repeat(300),
      ),
    ),
    fc.option(fc.constantFrom("US", "fr", "XX", "T1", "", "USA", "é")),
    fc.option(
      fc.oneof(
        fc.constantFrom(
          "https://news.example.com/a?b=c",
          "android-app://com.x",
          "",
          "not a url",
          "http://[::1",
        ),
        fc.webUrl(),
      ),
    ),
    fc.array(oddHeader, { maxLength: 2 }),
  )
  .map(([agent, forwarded, country, referer, odd]) => {
    const headers: [string, string][] = [["user-agent", agent]];
    if (forwarded !== null) headers.push(["x-forwarded-for", forwarded]);
    if (country !== null) headers.push(["cf-ipcountry", country]);
    if (referer !== null) headers.push(["referer", referer]);
    return [...headers, ...odd];
  });

const hostHeader = fc.oneof(
  { weight: 4, arbitrary: fc.constant(server.host) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "go.example.net",
      "GO.EXAMPLE.NET",
      "unknown.example",
      server.host.toUpperCase(),
      `127.0.0.1:${world.address.port}`,
      `[::1]:${world.address.port}`,
      "localhost",
      "",
      "a b",
      "..",
      "example.com:99999",
      "x".repeat(300),
      "é.example",
    ),
  },
);

/** A short link path segment: keys that exist (expired, archived, on a custom domain), reserved ones, hostile bytes. */
const keySegment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...world.ids.keys).map(percentEncode) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "api",
      "API",
      "healthz",
      "script.js",
      "favicon.ico",
      "_",
      "app",
      "track",
      "metrics",
    ),
  },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/) },
  { weight: 2, arbitrary: hostileUrlText.map((value) => percentEncode(value) || "x") },
  { weight: 2, arbitrary: fc.constantFrom(...RAW_URL_FRAGMENTS) },
);

const redirectRequests: fc.Arbitrary<RequestSpec> = fc
  .record({
    method: fc.constantFrom("GET", "GET", "GET", "HEAD"),
    key: keySegment,
    suffix: fc.constantFrom("", "", "", "/", "/x", "//"),
    query: fc.array(
      fc.oneof(
        { weight: 2, arbitrary: hostilePair(["utm_source", "qr", "dub-no-track", "dub_id", "via", "x"]) },
        {
          weight: 1,
          arbitrary: fc.record({
            name: fc.constantFrom("qr", "dub-no-track", "utm_campaign"),
            value: fc.constantFrom("1", ""),
            raw: fc.constant(false),
          }),
        },
      ),
      { maxLength: 3 },
    ),
    host: hostHeader,
    visitor: visitorHeaders,
  })
  .map(({ method, key, suffix, query, host, visitor }) =>
    printable({
      method,
      target: `/${key}${suffix}${queryText(query)}`,
      headers: [["host", host], ...visitor],
    }),
  );

/** About the size of a request's head, which Node limits to 16 KB. */
const headSize = (spec: RequestSpec) =>
  spec.target.length + spec.headers.reduce((sum, [name, value]) => sum + name.length + value.length + 4, 0);

/** A redirect's Location must be something a browser can follow. */
function checkLocation(response: RawResponse) {
  if (response.status !== 302) return;
  const location = response.headers.location ?? "";
  let parsed: URL | undefined;
  try {
    parsed = new URL(location);
  } catch {
    // reported below
  }
  assert.ok(
    parsed && ["http:", "https:"].includes(parsed.protocol),
    `a 302 to ${JSON.stringify(location)}, no absolute http(s) URL`,
  );
}

describe(`public routes (seed ${SEED})`, () => {
  test("GET and HEAD /:key on any host: no 5xx, a followable Location, no click from a refusal or a HEAD", async () => {
    await fuzz(
      FILE,
      redirectRequests,
      async (spec) => {
        const { response } = await exchange(world, toRaw(spec), {
          api: false,
          writes: (answer) => spec.method === "GET" && answer.status === 302,
        });
        checkLocation(response);
      },
      150,
    );
  });

  /** Destinations that the URL parser accepts but that carry what a Location header cannot. */
  const oddDestination = fc.oneof(
    fc.webUrl({ withQueryParameters: true, withFragments: true }),
    fc
      .tuple(
        fc.constantFrom(
          "https://shop.example.com/",
          "http://例え.jp/",
          "https://xn--r8jz45g.jp/",
          "http://1.2.3.4:8080/",
        ),
        hostileUnitString(12),
        fc.constantFrom("", "?q=", "#"),
        hostileUnitString(6),
      )
      .map((parts) => parts.join("")),
  );

  /**
   * Keys that are exactly what they are (dot segments a browser resolves away), or odd characters after a unique
   * prefix (so that the same key is not taken twice).
   */
  const oddKey = fc.oneof(
    { weight: 3, arbitrary: fc.constant("") },
    { weight: 1, arbitrary: fc.constantFrom(".", "..", "...").map((key) => ({ exact: key })) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        ".",
        "..",
        "\u200b",
        "\ufeff",
        "é",
        "e\u0301",
        "İ",
        "ﬀ",
        "~",
        "!",
        "'",
        "(",
        "*",
        "[x]",
        ";",
        ",",
        ":",
        "@",
        "$",
        "&",
        "=",
        "+",
        "|",
        "^",
        "`",
        "{",
        '"',
        "<",
        "\u0000",
        "\uD800",
        "😀",
      ),
    },
  );

  test("links with hostile destinations and keys, created through the API, then visited at their shortLink: reachable, no 5xx, a followable Location", async () => {
    let count = 0;
    await fuzz(
      FILE,
      fc
        .record({
          url: oddDestination,
          key: oddKey,
          expiredUrl: fc.option(oddDestination),
          expired: fc.boolean(),
          trackConversion: fc.boolean(),
          query: fc.array(hostilePair(["utm_source", "dub_id", "x"]), { maxLength: 2 }),
        })
        // A visit's request line within Node's 16 KB head; beyond it is the API suite's 431.
        .filter(({ query }) => queryText(query).length < 8_000),
      async ({ url, key: oddPart, expiredUrl, expired, trackConversion, query }) => {
        count += 1;
        const key = typeof oddPart === "string" ? `fz-${SEED}-${count}${oddPart}` : oddPart.exact;
        const body = {
          url,
          key,
          trackConversion,
          expiredUrl,
          expiresAt: expired ? new Date(Date.now() - 60_000).toISOString() : null,
        };
        const created = await exchange(
          world,
          {
            method: "POST",
            target: "/api/links",
            headers: [
              ["authorization", `Bearer ${world.keys.main}`],
              ["content-type", "application/json"],
            ],
            body: Buffer.from(jsonText(body)),
          },
          { api: true },
        );
        if (created.response.status !== 200) return;
        // Where a browser goes with the shortLink the API handed out: the URL parser resolves dot segments.
        const shortLink = new URL((JSON.parse(created.response.text) as { shortLink: string }).shortLink);
        for (const method of ["GET", "HEAD"]) {
          try {
            const { response } = await exchange(
              world,
              {
                method,
                target: `${shortLink.pathname}${queryText(query)}`,
                headers: [
                  ["host", shortLink.host],
                  ["user-agent", BROWSER_UA],
                ],
              },
              { api: false, writes: (answer) => method === "GET" && answer.status === 302 },
            );
            checkLocation(response);
            const expected = !expired || expiredUrl ? [302] : [410];
            assert.ok(
              expected.includes(response.status),
              `${method} ${shortLink.href} answered ${response.status}, not ${expected.join(" or ")}: the link cannot be reached`,
            );
          } catch (error) {
            (error as Error).message =
              `visiting the link created with ${jsonText(body)}:\n${(error as Error).message}`;
            throw error;
          }
        }
      },
      60,
    );
  });

  const corsRequests: fc.Arbitrary<RequestSpec> = fc
    .record({
      method: fc.constantFrom("POST", "POST", "POST", "OPTIONS"),
      origin: fc.option(
        fc.oneof(
          fc.constantFrom(
            ...world.allowedOrigins,
            "https://example.org",
            "https://a.b.example.org",
            "https://evil.example.net",
            "https://shop.example.com.evil.net",
            "https://evilexample.org",
            "null",
            "file://",
            "https://shop.example.com:8443",
            "HTTPS://SHOP.EXAMPLE.COM",
          ),
          headerText(40),
        ),
        { freq: 5 },
      ),
      body: fc.oneof(
        fc.record({
          domain: fc.constantFrom(server.host, "go.example.net"),
          key: fc.constantFrom(...world.ids.keys),
        }),
        mutated(fc.record({ domain: fc.constant(server.host), key: fc.constantFrom(...world.ids.keys) })),
      ),
      visitor: visitorHeaders,
      requestHeaders: fc.option(fc.constantFrom("content-type", "x-anything, content-type", "")),
    })
    .map(({ method, origin, body, visitor, requestHeaders }) => {
      const headers: [string, string][] = visitor.filter(([name]) => name !== "expect");
      if (origin !== null) headers.push(["origin", origin]);
      if (method === "OPTIONS") {
        headers.push(["access-control-request-method", "POST"]);
        if (requestHeaders !== null) headers.push(["access-control-request-headers", requestHeaders]);
        return printable({ method, target: "/api/track/click", headers });
      }
      headers.push(["content-type", "application/json"]);
      return printable({ method, target: "/api/track/click", headers, body: { json: body } });
    })
    // Node answers heads over 16 KB and unknown expectations itself, before CORS can: the API suite checks those.
    .filter((spec) => headSize(spec) < 12_000);

  /** The page a call comes from: its Referer's host, else its Origin's (Dub's order). */
  const pageHost = (referer: string | undefined, origin: string | undefined) => {
    for (const source of [referer, origin]) {
      try {
        const host = new URL(source ?? "").hostname;
        if (host) return host.replace(/^www\./, "");
      } catch {
        // not a URL: the next header names the page
      }
    }
    return undefined;
  };
  const allowedHost = (host: string | undefined) =>
    host !== undefined &&
    (host === "shop.example.com" || host === "example.org" || host.endsWith(".example.org"));

  test("POST /api/track/click and its preflight: CORS headers on every answer, clicks only for allowed sites", async () => {
    await fuzz(
      FILE,
      corsRequests,
      async (spec) => {
        // Node joins repeated Origin headers as it does most others.
        const origins = spec.headers.filter(([name]) => name === "origin").map(([, value]) => value);
        const origin = origins.length > 0 ? origins.join(", ") : undefined;
        // Node keeps the first of repeated Referer headers.
        const referer = spec.headers.find(([name]) => name === "referer")?.[1];
        const page = pageHost(referer, origin);
        const { response } = await exchange(world, toRaw(spec), { api: true });
        assert.ok(
          "access-control-allow-origin" in response.headers,
          "an answer without Access-Control-Allow-Origin",
        );
        if (spec.method === "OPTIONS") assert.equal(response.status, 204);
        // The other workspace names no allowed host name: like Dub, it takes clicks from any page (ADR 21).
        const key = (spec.body as { json?: { key?: unknown } } | undefined)?.json?.key;
        if (response.status === 200 && key !== "fz-other")
          assert.ok(
            allowedHost(page),
            `a click recorded for the page ${page} (Referer ${referer}, Origin ${origin})`,
          );
      },
      120,
    );
  });

  const OPERATIONAL = [
    { path: "/script.js", type: /^application\/javascript/ },
    { path: "/healthz", type: /^application\/json/ },
    { path: "/readyz", type: /^application\/json/ },
    { path: "/metrics", type: /^text\/plain/ },
    { path: "/", type: /^text\/html/ },
  ];

  test("/script.js, /healthz, /readyz, /metrics and / answer 200 whatever the query and headers (/metrics 404 to a public client), and write nothing", async () => {
    await fuzz(
      FILE,
      fc
        .record({
          route: fc.constantFrom(...OPERATIONAL),
          method: fc.constantFrom("GET", "HEAD"),
          query: fc.array(hostilePair(["x", "format", "callback"]), { maxLength: 3 }),
          visitor: visitorHeaders,
        })
        .map(({ route, method, query, visitor }) => ({
          route,
          spec: printable({ method, target: `${route.path}${queryText(query)}`, headers: visitor }),
        }))
        // Within Node's 16 KB limit of a request's head: beyond it is the API suite's 431.
        .filter(({ spec }) => headSize(spec) < 12_000),
      async ({ route, spec }) => {
        const { response } = await exchange(world, toRaw(spec), { api: false });
        const forwardedFor = spec.headers.find(([name]) => name === "x-forwarded-for")?.[1] ?? "";
        if (
          route.path === "/metrics" &&
          /\d+\.\d+\.\d+\.\d+|:/.test(forwardedFor) &&
          response.status === 404
        ) {
          // A public client (behind the trusted proxy) is refused the business figures, without a trace of them.
          assert.doesNotMatch(response.text, /clicktrail_/);
          return;
        }
        assert.equal(
          response.status,
          200,
          `${spec.method} ${spec.target}: ${response.status} ${response.text.slice(0, 200)}`,
        );
        assert.match(response.headers["content-type"] ?? "", route.type);
      },
      80,
    );
  });
});
