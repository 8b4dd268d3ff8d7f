// What dub-go 0.9.7 (the seed's Go SDK) does with a response body, written down from its generated models
// (/work/shared/reference/seed-sdk-models.md §0, §2, §4.3, §10): Go's decoder never requires a key and takes
// null for any non-enum field, but an enum outside its values or a wrong JSON type fails, and so does any
// unknown key inside an object the SDK decodes strictly.
import assert from "node:assert/strict";

type Spec =
  | "string"
  | "number"
  | "integer"
  | "boolean"
  | "any"
  | { enum: readonly string[] }
  | { array: Spec }
  | { map: Spec }
  | Model;

/** An object model: its keys, which of them the SDK lists as required, and whether unknown keys fail. */
export type Model = { strict: boolean; keys: Record<string, Spec>; required: readonly string[] };

const model = (strict: boolean, keys: Record<string, Spec>, optional: readonly string[] = []): Model => ({
  strict,
  keys,
  required: Object.keys(keys).filter((key) => !optional.includes(key)),
});

const TAG = model(false, {
  id: "string",
  name: "string",
  color: { enum: ["red", "yellow", "green", "blue", "purple", "brown", "pink"] },
});

/** LinkSchema (§4.3), as events nest it (§10.7): lenient. */
const LINK = model(
  false,
  {
    id: "string",
    domain: "string",
    key: "string",
    url: "string",
    trackConversion: "boolean",
    externalId: "string",
    identifier: "string",
    archived: "boolean",
    expiresAt: "string",
    expiredUrl: "string",
    password: "string",
    proxy: "boolean",
    title: "string",
    description: "string",
    image: "string",
    video: "string",
    rewrite: "boolean",
    doIndex: "boolean",
    ios: "string",
    android: "string",
    geo: { map: "string" },
    publicStats: "boolean",
    tagId: "string",
    tags: { array: TAG },
    comments: "string",
    shortLink: "string",
    qrCode: "string",
    utm_source: "string",
    utm_medium: "string",
    utm_campaign: "string",
    utm_term: "string",
    utm_content: "string",
    userId: "string",
    workspaceId: "string",
    clicks: "number",
    lastClicked: "string",
    leads: "number",
    sales: "number",
    saleAmount: "number",
    createdAt: "string",
    updatedAt: "string",
    projectId: "string",
  },
  [
    "trackConversion",
    "archived",
    "proxy",
    "rewrite",
    "doIndex",
    "publicStats",
    "clicks",
    "leads",
    "sales",
    "saleAmount",
  ],
);

/** §10.6: strict, 12 keys. */
const CLICK = model(
  true,
  {
    id: "string",
    url: "string",
    continent: "string",
    country: "string",
    city: "string",
    device: "string",
    browser: "string",
    os: "string",
    referer: "string",
    refererUrl: "string",
    qr: "boolean",
    ip: "string",
  },
  ["qr"],
);

/** §10.8: strict, 4 keys. */
const CUSTOMER = model(true, { id: "string", name: "string", email: "string", avatar: "string" });

/**
 * §10.9: lenient. paymentProcessor is listed as required but decodes when absent, which is the only answer it
 * accepts for a processor outside its enum; the tests check it is present for the three it knows.
 */
const SALE = model(
  false,
  { amount: "integer", invoiceId: "string", paymentProcessor: { enum: ["stripe", "shopify", "paddle"] } },
  ["invoiceId", "paymentProcessor"],
);

const FLAT: Record<string, Spec> = {
  click_id: "string",
  link_id: "string",
  domain: "string",
  key: "string",
  url: "string",
  continent: "string",
  country: "string",
  city: "string",
  device: "string",
  browser: "string",
  os: "string",
  qr: "number",
  ip: "string",
};

/** §10.3–10.5: the event top levels, strict. */
export const SEED_EVENTS = {
  ClickEvent: model(
    true,
    { event: { enum: ["click"] }, timestamp: "string", click: CLICK, link: LINK, ...FLAT },
    ["timestamp"],
  ),
  LeadEvent: model(
    true,
    {
      event: { enum: ["lead"] },
      timestamp: "string",
      eventId: "string",
      eventName: "string",
      click: CLICK,
      link: LINK,
      customer: CUSTOMER,
      ...FLAT,
    },
    ["timestamp"],
  ),
  SaleEvent: model(
    true,
    {
      event: { enum: ["sale"] },
      timestamp: "string",
      eventId: "string",
      eventName: "string",
      link: LINK,
      click: CLICK,
      customer: CUSTOMER,
      sale: SALE,
      saleAmount: "number",
      invoice_id: "string",
      payment_processor: "string",
      ...FLAT,
    },
    ["timestamp"],
  ),
} as const;

/** §11: the analytics count object, strict (AnalyticsCount forces it), and the timeseries item every array becomes. */
export const SEED_ANALYTICS = {
  AnalyticsCount: model(true, { clicks: "number", leads: "number", sales: "number", saleAmount: "number" }, [
    "clicks",
    "leads",
    "sales",
    "saleAmount",
  ]),
  AnalyticsTimeseries: model(
    false,
    { start: "string", clicks: "number", leads: "number", sales: "number", saleAmount: "number" },
    ["clicks", "leads", "sales", "saleAmount"],
  ),
} as const;

/** Decodes `value` as Go would into `spec`; throws with the JSON path of the first failure. */
export function decodeAs(value: unknown, spec: Spec, path = "$"): void {
  if (value === null) {
    if (typeof spec === "object" && "enum" in spec) throw new Error(`${path}: null for an enum`);
    return;
  }
  if (spec === "any") return;
  if (spec === "string" || spec === "boolean") {
    if (typeof value !== spec) throw new Error(`${path}: ${JSON.stringify(value)} is not a ${spec}`);
    return;
  }
  if (spec === "number" || spec === "integer") {
    if (typeof value !== "number" || (spec === "integer" && !Number.isInteger(value))) {
      throw new Error(`${path}: ${JSON.stringify(value)} is not a JSON ${spec}`);
    }
    return;
  }
  if ("enum" in spec) {
    if (typeof value !== "string" || !spec.enum.includes(value)) {
      throw new Error(`${path}: ${JSON.stringify(value)} is not one of ${spec.enum.join(", ")}`);
    }
    return;
  }
  if ("array" in spec) {
    if (!Array.isArray(value)) throw new Error(`${path}: not an array`);
    for (const [index, item] of value.entries()) decodeAs(item, spec.array, `${path}[${index}]`);
    return;
  }
  if (typeof value !== "object" || Array.isArray(value)) throw new Error(`${path}: not an object`);
  const entries = Object.entries(value as Record<string, unknown>);
  if ("map" in spec) {
    for (const [key, item] of entries) decodeAs(item, spec.map, `${path}.${key}`);
    return;
  }
  for (const [key, item] of entries) {
    // Go matches keys case-insensitively (§0).
    const known = Object.keys(spec.keys).find((name) => name.toLowerCase() === key.toLowerCase());
    if (known === undefined) {
      if (spec.strict) throw new Error(`${path}: unknown key "${key}" in a strictly decoded object`);
      continue;
    }
    decodeAs(item, spec.keys[known], `${path}.${key}`);
  }
}

/**
 * Events.List's union (§10.2): the whole array is tried as ClickEvent[], then LeadEvent[], then SaleEvent[]; the
 * first that decodes wins. Returns its name, or throws the SDK's "could not unmarshal" with every reason.
 */
export function decodeSeedEventList(body: unknown): keyof typeof SEED_EVENTS {
  const reasons: string[] = [];
  for (const [name, item] of Object.entries(SEED_EVENTS)) {
    try {
      decodeAs(body, { array: item });
      return name as keyof typeof SEED_EVENTS;
    } catch (error) {
      reasons.push(`${name}[]: ${(error as Error).message}`);
    }
  }
  throw new Error(`could not unmarshal into any supported union types: ${reasons.join("; ")}`);
}

/**
 * Every key of a strictly decoded object is one the model knows and every key the model lists is present; in a
 * lenient object every required key is present. Recurses into nested models.
 */
export function assertKeyForKey(value: unknown, spec: Spec, path = "$"): void {
  if (value === null || typeof spec === "string" || "enum" in spec || "map" in spec) return;
  if ("array" in spec) {
    for (const [index, item] of (value as unknown[]).entries())
      assertKeyForKey(item, spec.array, `${path}[${index}]`);
    return;
  }
  const keys = Object.keys(value as object);
  if (spec.strict) {
    assert.deepEqual([...keys].sort(), Object.keys(spec.keys).sort(), `${path}: keys`);
  } else {
    const missing = spec.required.filter((key) => !keys.includes(key));
    assert.deepEqual(missing, [], `${path}: required keys missing`);
  }
  for (const [key, nested] of Object.entries(spec.keys)) {
    if (key in (value as object))
      assertKeyForKey((value as Record<string, unknown>)[key], nested, `${path}.${key}`);
  }
}
export const SEED_LINK = LINK;
