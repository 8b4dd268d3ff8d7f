// Requests for the operations of the OpenAPI document: shaped by their schemas, then made hostile.
import fc from "fast-check";
import {
  contentType,
  deepNesting,
  hostileBodyText,
  hostileJson,
  hostilePair,
  hostileUrlText,
  ODD_DATES,
  oddHeader,
  percentEncode,
  type QueryPair,
  queryText,
  RAW_URL_FRAGMENTS,
} from "./hostile.js";
import { jsonText } from "./json-text.js";
import { mutated } from "./mutate.js";
import type { RawRequest } from "./raw-http.js";
import { fromSchema, type Hints, type Schema, UNBOUNDED_LENGTH } from "./schema-arbitrary.js";
import type { World } from "./world.js";

export type Body = { json: unknown } | { text: string } | { bytes: Uint8Array };

/** A generated request; `toRaw` turns it into bytes. Printed as is in a counterexample. */
export type RequestSpec = {
  method: string;
  target: string;
  headers: [string, string][];
  body?: Body;
  chunked?: boolean;
};

export type Operation = {
  method: string;
  /** As in the document, e.g. /links/{linkId} (under /api) */
  path: string;
  operationId: string;
  /** No key needed (security: []) */
  open: boolean;
  query: { name: string; schema: Schema }[];
  pathParams: string[];
  body?: Schema;
};

export type Document = {
  paths: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        security?: unknown[];
        parameters?: { in: string; name: string; schema: Schema }[];
        requestBody?: { content: Record<string, { schema: Schema }> };
      }
    >
  >;
};

export function operationsOf(document: Document): Operation[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      operationId: operation.operationId,
      open: Array.isArray(operation.security) && operation.security.length === 0,
      query: (operation.parameters ?? [])
        .filter((parameter) => parameter.in === "query")
        .map(({ name, schema }) => ({ name, schema })),
      pathParams: (operation.parameters ?? [])
        .filter((parameter) => parameter.in === "path")
        .map((p) => p.name),
      body: operation.requestBody?.content["application/json"]?.schema,
    })),
  );
}

/** Operations that send requests to the `url` they are given: only ever to the local receiver. */
const OUTBOUND_OPERATIONS = new Set(["createWebhook", "updateWebhook", "getMetatags"]);

/** Fields whose name says more than their schema: ids that exist, URLs, dates, currencies, time zones. */
function hintsFor(operation: Operation, world: World): Hints {
  const { ids } = world;
  const webUrl = fc.oneof(
    fc.webUrl({ withQueryParameters: true, withFragments: true }),
    fc.constantFrom(
      "https://shop.example.com/p?utm_source=fuzz&x=%20y",
      "http://localhost:3000/",
      "https://例え.jp/",
    ),
  );
  const date = fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .date({
          min: new Date("1990-01-01T00:00:00Z"),
          max: new Date("2100-01-01T00:00:00Z"),
          noInvalidDate: true,
        })
        .map((value) => value.toISOString()),
    },
    { weight: 1, arbitrary: fc.constantFrom(...ODD_DATES) },
  );
  const email = fc.oneof(
    fc.constantFrom("ada@example.com", "a.b+c@mail.example.org", "O'Brien@example.ie"),
    fc.emailAddress(),
  );
  const pool = (values: string[]) =>
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...values) },
      { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
      { weight: 1, arbitrary: fc.constant("x".repeat(UNBOUNDED_LENGTH)) },
    );
  const hints: Record<string, fc.Arbitrary<unknown>> = {
    url: OUTBOUND_OPERATIONS.has(operation.operationId)
      ? fc.constantFrom(world.receiver.url, `${world.receiver.url}?from=fuzz`, `${world.receiver.url}/é`)
      : webUrl,
    expiredUrl: webUrl,
    refererUrl: webUrl,
    expiresAt: date,
    start: date,
    end: date,
    domain: fc.constantFrom(
      world.server.host,
      "go.example.net",
      "example.com",
      "localhost",
      "a.example.org:8080",
    ),
    key: pool(ids.keys),
    externalId: pool([...ids.externalIds, ...ids.customerExternalIds]),
    linkId: pool([...ids.links, ...ids.otherLinks]),
    linkIds: fc.array(pool([...ids.links, ...ids.otherLinks]), { maxLength: 4 }),
    tagId: pool([...ids.tags, ...ids.otherTags].flatMap((id) => [id, `-${id}`])),
    tagIds: fc.oneof(
      fc.array(pool([...ids.tags, ...ids.otherTags]), { maxLength: 4 }),
      pool([...ids.tags, ...ids.otherTags]).map((id) => `${id},${ids.tags[0]}`),
    ),
    tagNames: fc.array(fc.constantFrom("fz-tag", "FZ-TAG", "fz-second-tag", "fz-none"), { maxLength: 3 }),
    ids: fc.array(pool([...ids.tags, ...ids.otherTags]), { maxLength: 4 }),
    folderId: pool([...ids.folders, ...ids.otherFolders].flatMap((id) => [id, `-${id}`])),
    clickId: pool(ids.clickIds),
    customerExternalId: pool(ids.customerExternalIds),
    customerId: pool(ids.customerExternalIds),
    invoiceId: pool(ids.invoiceIds),
    currency: fc.constantFrom("usd", "USD", " eur ", "jpy", "kwd", "gbp", "chf", "xxx", "zzz", "", "us"),
    customerEmail: email,
    email,
    timezone: fc.constantFrom(
      "UTC",
      "Europe/Paris",
      "America/St_Johns",
      "Asia/Kathmandu",
      "Etc/GMT+12",
      "Mars/Base",
      "",
    ),
    country: fc.constantFrom("US", "FR", "us", "ZZ", "", "USA"),
    secret: fc.string({ minLength: 16, maxLength: 40 }),
    // Free-form objects: deep, wide, or right at the 10,000-character limit.
    metadata: fc.oneof(
      fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }),
      deepNesting.filter((nested) => nested.kind === "object"),
      fc.record({ m: deepNesting }),
      fc.integer({ min: 9_985, max: 10_010 }).map((length) => ({ m: "x".repeat(length - 8) })),
    ),
    // A workspace's logo: `{}` in the document; Clicktrail takes only null (it stores no logos).
    logo: fc.constant(null),
    // Smart-link options: valid ones, none, and ones Dub's rules refuse (422).
    password: fc.constantFrom(null, "", "fz-password", "x".repeat(129)),
    ios: fc.constantFrom(null, "https://apps.example.com/fz", "javascript:alert(1)"),
    android: fc.constantFrom(null, "https://play.example.com/fz", "fz"),
    geo: fc.constantFrom(null, {}, { US: "https://us.example.com/" }, { ZZ: "https://zz.example.com/" }),
    testVariants: fc.constantFrom(
      null,
      [
        { url: "https://a.example.com/", percentage: 50 },
        { url: "https://b.example.com/", percentage: 50 },
      ],
      [
        { url: "https://a.example.com/", percentage: 60 },
        { url: "https://b.example.com/", percentage: 50 },
      ],
    ),
  };
  return (name) => (Object.hasOwn(hints, name) ? hints[name] : undefined);
}

const segmentPools = (world: World): Record<string, string[]> => ({
  linkId: [...world.ids.links, ...world.ids.otherLinks, "ext_fz-ext"],
  id: [
    ...world.ids.customers,
    ...world.ids.customerExternalIds.map((id) => `ext_${id}`),
    ...world.ids.tags,
    ...world.ids.otherTags,
    ...world.ids.folders,
    ...world.ids.otherFolders,
  ],
  webhookId: [...world.ids.webhooks, ...world.ids.otherWebhooks],
  eventId: world.ids.webhookEvents,
  slug: world.ids.domains,
  idOrSlug: world.ids.workspaces,
  // Every processor, one Clicktrail has no integration for, and nothing configured for any of them.
  processor: ["stripe", "shopify", "paddle", "square"],
  // The dashboard's people and keys: no user or invite exists in the fuzzed world, so these are ids of nothing.
  userId: ["usr_fuzz"],
  inviteId: ["inv_fuzz"],
  tokenId: ["key_fuzz"],
  token: ["fuzz-invite-token"],
});

/** A path segment: an id that exists (in this workspace or another), a random one, or hostile bytes. */
function segment(pool: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...pool).map(percentEncode) },
    { weight: 2, arbitrary: fc.stringMatching(/^[a-z]{2,5}_[A-Za-z0-9]{1,30}$/) },
    { weight: 2, arbitrary: hostileUrlText.map((value) => percentEncode(value) || "x") },
    { weight: 2, arbitrary: fc.constantFrom(...RAW_URL_FRAGMENTS) },
  );
}

/** The query string: the operation's parameters shaped by their schemas, hostile values, repeats and strangers. */
function queryString(operation: Operation, hints: Hints): fc.Arbitrary<string> {
  const stringOf = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));
  const names = operation.query.map((parameter) => parameter.name);
  const known = operation.query.map(({ name, schema }) =>
    fc.option(
      fc.oneof(
        {
          weight: 4,
          arbitrary: fromSchema(schema, hints, name).map((value) => ({
            name,
            value: stringOf(value),
            raw: false,
          })),
        },
        { weight: 2, arbitrary: hostilePair([name]) },
      ),
      { freq: 2 },
    ),
  );
  return fc
    .tuple(fc.tuple(...known), fc.array(hostilePair(names), { maxLength: 3 }), fc.nat(), fc.boolean())
    .map(([pairs, extras, at, bare]) => {
      const all = pairs.filter((pair): pair is QueryPair => pair !== null);
      for (const [index, extra] of extras.entries()) all.splice((at + index) % (all.length + 1), 0, extra);
      return queryText(all, bare);
    });
}

/** Whose key the request carries; mostly the workspace's own, unrestricted. */
function authorization(world: World, open: boolean): fc.Arbitrary<[string, string][]> {
  const { keys } = world;
  const variants = fc.constantFrom<[string, string][]>(
    [],
    [["authorization", ""]],
    [["authorization", "Bearer"]],
    [["authorization", "Bearer "]],
    [["authorization", keys.main]],
    [["authorization", `bearer ${keys.main}`]],
    [["authorization", `Bearer  ${keys.main}  `]],
    [["authorization", `Bearer ${keys.readOnly}`]],
    [["authorization", `Bearer ${keys.revoked}`]],
    [["authorization", `Bearer ${keys.other}`]],
    [["authorization", "Bearer dub_unknown"]],
    [["authorization", `Bearer ${"x".repeat(8_000)}`]],
    [["authorization", `Basic ${Buffer.from("a:b").toString("base64")}`]],
    [
      ["authorization", `Bearer ${keys.main}`],
      ["authorization", `Bearer ${keys.other}`],
    ],
  );
  const main = fc.constant<[string, string][]>([["authorization", `Bearer ${keys.main}`]]);
  return open
    ? fc.oneof(
        { weight: 4, arbitrary: fc.constant<[string, string][]>([]) },
        { weight: 1, arbitrary: variants },
      )
    : fc.oneof({ weight: 8, arbitrary: main }, { weight: 1, arbitrary: variants });
}

function body(schema: Schema | undefined, hints: Hints): fc.Arbitrary<Body | undefined> {
  if (!schema) {
    return fc.oneof(
      { weight: 9, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: hostileJson.map((json) => ({ json })) },
    );
  }
  const shaped = fromSchema(schema, hints);
  return fc.oneof(
    { weight: 4, arbitrary: shaped.map((json) => ({ json })) },
    { weight: 4, arbitrary: mutated(shaped).map((json) => ({ json })) },
    { weight: 1, arbitrary: hostileJson.map((json) => ({ json })) },
    { weight: 1, arbitrary: hostileBodyText.map((text) => ({ text })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ bytes })) },
  );
}

/** Every request to `operation` the fuzzer may send. */
export function operationRequests(operation: Operation, world: World): fc.Arbitrary<RequestSpec> {
  const hints = hintsFor(operation, world);
  const pools = segmentPools(world);
  const segments = fc.tuple(
    ...operation.pathParams.map((name) => {
      const pool = pools[name];
      if (!pool || pool.length === 0) throw new Error(`no ids for the path parameter ${name}`);
      return segment(pool);
    }),
  );
  const origin =
    operation.operationId === "trackClick"
      ? fc.option(
          fc.constantFrom(
            ...world.allowedOrigins,
            "https://evil.example.net",
            "null",
            "https://shop.example.com.",
          ),
          { freq: 4, nil: undefined },
        )
      : fc.constant(undefined);
  return fc
    .record({
      segments,
      query: queryString(operation, hints),
      auth: authorization(world, operation.open),
      contentType,
      odd: fc.array(oddHeader, { maxLength: 2 }),
      origin,
      body: body(operation.body, hints),
      chunked: fc.boolean(),
    })
    .map(({ segments, query, auth, contentType, odd, origin, body, chunked }) => {
      let index = 0;
      const path = operation.path.replace(/\{[^}]+\}/g, () => segments[index++]);
      const headers: [string, string][] = [...auth, ...odd];
      if (origin) headers.push(["origin", origin]);
      if (body !== undefined && contentType !== undefined) headers.push(["content-type", contentType]);
      return printable({
        method: operation.method,
        target: `/api${path}${query}`,
        headers,
        body,
        chunked: body !== undefined && chunked,
      });
    });
}

const abbreviate = (text: string, length: number) =>
  text.length > length ? `${text.slice(0, length)}…(${text.length} chars)` : text;

/** Prints in a counterexample without its megabytes: long targets, headers and bodies abbreviated. */
export function printable(spec: RequestSpec): RequestSpec {
  return Object.assign(spec, {
    [fc.toStringMethod]: () =>
      [
        `${spec.method} ${abbreviate(spec.target, 300)}`,
        ...spec.headers.map(([name, value]) => `${name}: ${abbreviate(JSON.stringify(value), 200)}`),
        spec.body === undefined
          ? ""
          : `body${spec.chunked ? " (chunked)" : ""}: ${abbreviate(fc.stringify(spec.body), 600)}`,
      ]
        .filter(Boolean)
        .join(" | "),
  });
}

/** The bytes of a generated body. */
export function bodyBytes(body: Body): Buffer {
  if ("json" in body) return Buffer.from(jsonText(body.json), "utf8");
  if ("text" in body) return Buffer.from(body.text, "utf8");
  return Buffer.from(body.bytes);
}

export function toRaw(spec: RequestSpec): RawRequest {
  return {
    method: spec.method,
    target: spec.target,
    headers: spec.headers,
    body: spec.body === undefined ? undefined : bodyBytes(spec.body),
    chunked: spec.chunked,
  };
}

/**
 * Webhook URLs are resolved and called by the server: whatever a generated body names, an accepted URL must lead to
 * the local receiver, never to another address (nor to a DNS lookup). A body whose `url` would is rewritten to
 * point there, keeping its path and query.
 */
export function keepWebhooksLocal(request: RawRequest, world: World): RawRequest {
  if (!request.body || !/^\/api\/webhooks/i.test(request.target)) return request;
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body.toString("utf8"));
  } catch {
    return request;
  }
  const url = (parsed as { url?: unknown } | null)?.url;
  if (typeof url !== "string") return request;
  let target: URL;
  try {
    target = new URL(url.trim());
  } catch {
    return request;
  }
  const local = new URL(world.receiver.url);
  if (!["http:", "https:"].includes(target.protocol)) return request;
  if (target.protocol === local.protocol && target.host === local.host) return request;
  const rewritten = `${local.origin}${target.pathname}${target.search}`;
  let text: string;
  try {
    text = JSON.stringify({ ...(parsed as object), url: rewritten });
  } catch {
    text = JSON.stringify({ url: rewritten });
  }
  return { ...request, body: Buffer.from(text, "utf8") };
}

/**
 * GET /api/metatags fetches its `url`. Every `url` parameter of such a request (by its name as the server decodes
 * it) is made to start with the local receiver's origin and a slash, its own text following as the path: whether or
 * not the server can percent-decode the rest, the host it fetches is the receiver's, and no DNS lookup is made.
 */
export function keepMetatagsLocal(request: RawRequest, world: World): RawRequest {
  const queryAt = request.target.indexOf("?");
  if (queryAt < 0 || !leniently(request.target.slice(0, queryAt)).toLowerCase().includes("metatags"))
    return request;
  const local = `${new URL(world.receiver.url).origin}/`;
  const query = request.target
    .slice(queryAt + 1)
    .split("&")
    .map((pair) => {
      const equals = pair.indexOf("=");
      const name = equals < 0 ? pair : pair.slice(0, equals);
      if (leniently(name.replaceAll("+", " ")) !== "url") return pair;
      return `${name}=${local}${equals < 0 ? "" : pair.slice(equals + 1)}`;
    })
    .join("&");
  return { ...request, target: `${request.target.slice(0, queryAt)}?${query}` };
}

/** Percent-decoded as the server's query parser does it: left as it is when it cannot be decoded. */
function leniently(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
