// Hostile inputs: what a careless or malicious client sends instead of what the schema asks for.
import fc from "fast-check";
import { DuplicateKeys, Nested, RawJson, Repeated } from "./json-text.js";

/** Characters that break naive handling: NUL, lone surrogates, line breaks, BOM, bidi overrides, escapes, quotes. */
const NASTY_UNITS = [
  "\u0000",
  "\uD800",
  "\uDBFF",
  "\uDC00",
  "\uDFFF",
  "\r",
  "\n",
  "\r\n",
  "\t",
  "\u000B",
  "\u001F",
  "\u007F",
  "\u0085",
  "\u00A0",
  "\u2028",
  "\u2029",
  "\u202E",
  "\uFEFF",
  "\uFFFD",
  "\uFFFE",
  "\uFFFF",
  "\u0301",
  "é",
  "ß",
  "İ",
  "😀",
  "𝕏",
  "中",
  "\\",
  '"',
  "'",
  "`",
  "%",
  "%00",
  "%ZZ",
  "%2F",
  "/",
  "?",
  "#",
  "&",
  "=",
  "+",
  ";",
  ",",
  ":",
  "@",
  " ",
  ".",
  "..",
  "<",
  ">",
  "$",
  "{",
  "}",
  "*",
  "_",
  "-",
  "a",
  "Z",
  "0",
  "9",
];

/** Dates a parser may read as something else, or outside what a Date can hold. */
export const ODD_DATES = [
  "-271821-04-20",
  "-271821-04-20T00:00:00.000Z",
  "-271821-04-19T23:59:59.999Z",
  "+275760-09-13T00:00:00.000Z",
  "+275760-09-13T00:00:00.001Z",
  "-000001-01-01T00:00:00Z",
  "0000-01-01",
  "0001-01-01T00:00:00Z",
  "1",
  "0",
  "-1",
  "99",
  "2001",
  "99999",
  "1e3",
  "2024-02-30",
  "2024-13-01",
  "2024-00-00",
  "2024-01-01T25:00:00Z",
  "2024-01-01T00:00:00+25:00",
  "1970-01-01T00:00:00Z",
  "9999-12-31T23:59:59.999Z",
  "2100-01-01T00:00:00Z",
  "Tue, 01 Jan 2030 00:00:00 GMT",
  "tomorrow",
  "NaN",
  "",
  " ",
];

/** Strings with a meaning somewhere: reserved words, prototype keys, ids' prefixes, numbers, SQL and path tricks. */
const NOTABLE_STRINGS = [
  "",
  " ",
  ".",
  "..",
  "...",
  "./",
  "../",
  "..%2F",
  "%2e%2e",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "null",
  "undefined",
  "true",
  "NaN",
  "Infinity",
  "-0",
  "1e400",
  "0x10",
  "[]",
  "{}",
  "api",
  "API",
  "healthz",
  "script.js",
  "ext_",
  "ext_ext_",
  "cus_",
  "link_",
  "whsec_",
  "evt_",
  "dub_",
  "usd",
  "XXX",
  "' OR '1'='1",
  "'; DROP TABLE links; --",
  "\\x00",
  "a\u0000b",
  "\u0000",
  "\uD800",
  "a\uDC00b",
  "%00",
  "%ZZ",
  "line\r\nInjected: yes",
  "javascript:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "http://",
  "https://",
  "//example.com",
  "http://exa mple.com/",
  "https://example.com/\u0000",
  "https://example.com/\r\nSet-Cookie: x=1",
  "https://例え.jp/パス",
  "https://example.com/%ZZ",
  "https://[::1/",
  "https://user:pass@example.com:99999/",
  "mailto:a@b.c",
  ...ODD_DATES,
];

export const hostileUnitString = (maxLength = 40) =>
  fc.string({ unit: fc.constantFrom(...NASTY_UNITS), maxLength });

/** Long strings, as compact `Repeated` values: over every field's limit, some over the 1 MB body limit. */
export const longString = fc
  .tuple(
    fc.constantFrom("a", "\u0000", "é", "😀", "\uD800", "\r\n", "%", " ", "\\"),
    fc.constantFrom(101, 191, 256, 501, 2_001, 10_001, 32_001, 100_000, 600_000),
  )
  .map(([unit, count]) => new Repeated(unit, count));

export const hostileString: fc.Arbitrary<string | Repeated> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NOTABLE_STRINGS) },
  { weight: 4, arbitrary: hostileUnitString() },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }) },
  { weight: 1, arbitrary: longString },
);

/** Hostile text for a URL: long strings only as long as a URL gets (past 16 KB of head, Node answers 431 anyway). */
export const hostileUrlText: fc.Arbitrary<string> = hostileString.map((value) =>
  typeof value === "string" ? value : value.unit.repeat(Math.min(value.count, 3_000)),
);

/** Numbers at and beyond every limit, and JSON numbers JavaScript cannot hold exactly (or at all). */
export const hostileNumber: fc.Arbitrary<number | RawJson> = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    -1,
    0.5,
    -0.5,
    1e21,
    1e308,
    -1e308,
    5e-324,
    2 ** 31,
    2 ** 32,
    2 ** 53 - 1,
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 53),
    -(2 ** 63),
    2 ** 64,
    Number.MAX_VALUE,
    100,
    101,
    1000,
    1001,
  ),
  fc
    .constantFrom(
      "1e400",
      "-1e400",
      "1E+2",
      "-0.0",
      "123456789012345678901234567890",
      "9007199254740993",
      "0.1e-999",
      "1.0",
      "4.9e-324",
    )
    .map((text) => new RawJson(text)),
  fc.double(),
  fc.integer(),
);

const scalar: fc.Arbitrary<unknown> = fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null));

/** Keys that collide with prototypes, are empty, invisible, NUL-laden or very long. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "__proto__",
    "constructor",
    "prototype",
    "",
    " ",
    ".",
    "..",
    "\u0000",
    "\uD800",
    "a.b",
    "$where",
  ),
  hostileUnitString(12),
  fc.constantFrom("k".repeat(5_000), "é".repeat(2_000)),
);

/** Thousands of levels of objects or arrays, up to the nesting that once overflowed the stack. */
export const deepNesting = fc
  .tuple(
    fc.constantFrom(50, 500, 1_000, 3_000, 5_000, 10_000),
    fc.constantFrom("object" as const, "array" as const),
    fc.constantFrom("a", "", "__proto__"),
    scalar,
  )
  .map(([depth, kind, key, leaf]) => new Nested(depth, kind, key, leaf));

/** Any JSON value, hostile at every level. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 6, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(tie("value"), { maxLength: 4 }) },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.tuple(hostileKey, tie("value")), { maxLength: 4 })
        .map((entries) => Object.fromEntries(entries)),
    },
    { weight: 1, arbitrary: deepNesting },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.string({ maxLength: 8 }), tie("value"), tie("value")).map(
        ([key, first, second]) =>
          new DuplicateKeys([
            [key, first],
            [key, second],
          ]),
      ),
    },
  ),
})).value;

/** A whole request body that is no JSON object: other JSON, broken JSON, other formats, nothing. */
export const hostileBodyText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "\r\n",
    "null",
    "true",
    "0",
    "-0",
    "1e400",
    '""',
    "[]",
    "{}",
    "{",
    "}",
    "{'url': 'x'}",
    '{"a":1,}',
    '{"a":1}}',
    '{"a":1} trailing',
    "[1,2",
    "\uFEFF{}",
    "{}\u0000",
    '{"a":"\\ud800"}',
    '{"a":"\\u0000"}',
    '{"a":"\\uZZZZ"}',
    '{"a":01}',
    '{"a":NaN}',
    '{"a":Infinity}',
    '{"__proto__":{"isAdmin":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    "url=https%3A%2F%2Fexample.com&key=x",
    "<xml><url>https://example.com</url></xml>",
    '--x\r\nContent-Disposition: form-data; name="url"\r\n\r\nhttps://example.com\r\n--x--',
  ),
  fc.string({ unit: "binary", maxLength: 60 }),
  hostileUnitString(60),
);

/** Content-Type headers: none, right, wrong, malformed, enormous. */
export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 6, arbitrary: fc.constant("application/json") },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      undefined,
      "",
      "application/json; charset=utf-8",
      "application/json; charset=utf-16",
      "application/json; charset=latin1",
      "APPLICATION/JSON",
      "application/json, application/json",
      "application/json;;;",
      "application/vnd.api+json",
      "text/plain",
      "text/html",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/octet-stream",
      "*/*",
      "garbage",
      "a/b/c",
      "/",
      'application/json; boundary="unterminated',
      `application/json; x=${"y".repeat(4_000)}`,
    ),
  },
);

/**
 * Header values a client may send (latin1, no line breaks: those are a transport error, fuzzed on their own), with
 * odd names that mean something to a server or a proxy in front of it.
 */
export const oddHeader: fc.Arbitrary<[string, string]> = fc.tuple(
  fc.oneof(
    fc.constantFrom(
      "accept",
      "accept-encoding",
      "accept-language",
      "cookie",
      "expect",
      "if-none-match",
      "if-modified-since",
      "range",
      "referer",
      "origin",
      "user-agent",
      "x-request-id",
      "x-forwarded-for",
      "x-forwarded-host",
      "x-forwarded-proto",
      "x-real-ip",
      "forwarded",
      "cf-ipcountry",
      "x-vercel-ip-country",
      "dub-no-track",
      "sec-purpose",
      "purpose",
      "content-encoding",
      "content-language",
      "x-http-method-override",
      "idempotency-key",
    ),
    fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/),
  ),
  fc.oneof(
    fc.constantFrom(
      "",
      "*",
      "gzip",
      "br, gzip;q=0",
      "identity;q=0",
      "*;q=0",
      "100-continue",
      "x-unknown-expectation",
      "bytes=0-0",
      "bytes=99999999-",
      "DELETE",
      "::1",
      "not-an-ip",
      "999.999.999.999",
      "1.2.3.4, 5.6.7.8, ::ffff:127.0.0.1",
      "[2001:db8::1]:443",
      'for="[2001:db8::1]";proto=https',
      "XX",
      "zz",
      "prefetch",
      "prerender",
      "1",
      "é",
      "\u00ff\u00fe",
    ),
    fc.string({
      unit: fc.constantFrom("a", " ", ",", ";", "=", '"', "\t", "é", "\u00ff", "%", "0"),
      maxLength: 60,
    }),
    fc.constantFrom(500, 4_000, 8_000).map((count) => "v".repeat(count)),
  ),
);

/** Bytes of a query value or path segment written verbatim: bad escapes, encoded NUL, invalid UTF-8, dot segments. */
export const RAW_URL_FRAGMENTS = [
  "%ZZ",
  "%",
  "%0",
  "%%",
  "%G0",
  "%00",
  "a%00b",
  "%0D%0A",
  "%0d%0aSet-Cookie:%20x=1",
  "%ED%A0%80",
  "%ED%BF%BF",
  "%C0%AF",
  "%C0%AE%C0%AE",
  "%FF",
  "%FE%FF",
  "%E2%80%AE",
  "%EF%BB%BF",
  "%F0%9F%98%80",
  "%2F",
  "%2e",
  "%2e%2e",
  "%5C",
  "+",
  "%2B",
  "%20",
  ".",
  "..",
  "...",
  "\\",
  "!$'()*,;:@",
  "[]",
  "%5B%5D",
];

/** One `name=value` of a query string; `raw` ones are written verbatim (bad escapes and all), others encoded. */
export type QueryPair = { name: string; value: string; raw: boolean };

/** A query parameter that is one of `names` (or a stranger) with a hostile value, or hostile bytes throughout. */
export const hostilePair = (known: string[]): fc.Arbitrary<QueryPair> => {
  const names = [...known, "x"];
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        name: fc.constantFrom(...names),
        value: hostileUrlText,
        raw: fc.constant(false),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        name: fc.constantFrom(...names),
        value: fc.constantFrom(...RAW_URL_FRAGMENTS),
        raw: fc.constant(true),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        name: fc.constantFrom("", "__proto__", "constructor", "a[b]", "a[]", "\u0000", "é"),
        value: fc.string({ maxLength: 5 }),
        raw: fc.constant(false),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        name: fc.constantFrom(...RAW_URL_FRAGMENTS),
        value: fc.constantFrom(...RAW_URL_FRAGMENTS),
        raw: fc.constant(true),
      }),
    },
  );
};

/** `?a=b&c=d` (empty when there are no pairs); `bare` writes `name` alone for an empty value. */
export function queryText(pairs: QueryPair[], bare = false): string {
  const text = pairs
    .map(({ name, value, raw }) => {
      const encodedName = raw ? name : percentEncode(name);
      if (bare && value === "") return encodedName;
      return `${encodedName}=${raw ? value : percentEncode(value)}`;
    })
    .join("&");
  return text === "" ? "" : `?${text}`;
}

/**
 * Percent-encodes every UTF-16 unit as UTF-8 would, lone surrogates included (as the three bytes WTF-8 gives them,
 * which are invalid UTF-8): the server gets exactly the string's code units, malformed or not.
 */
export function percentEncode(text: string): string {
  let out = "";
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    const next = text.charCodeAt(index + 1);
    if (/[A-Za-z0-9\-._~]/.test(text[index])) {
      out += text[index];
    } else if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += bytesOf(Buffer.from(text.slice(index, index + 2), "utf8"));
      index++;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      out += bytesOf(Buffer.from([0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]));
    } else {
      out += bytesOf(Buffer.from(text[index], "utf8"));
    }
  }
  return out;
}

const bytesOf = (bytes: Buffer) =>
  [...bytes].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`).join("");
