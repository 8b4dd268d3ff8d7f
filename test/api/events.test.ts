// GET /events and GET /events/export through the official SDK and raw HTTP: every event type decodes, pages
// and sort orders agree, link- and event-level filters, intervals and time zones, the CSV equals the JSON,
// and another workspace sees nothing.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Dub } from "dub";
import type { ClickEvent, LeadEvent, ListEventsResponseBody, SaleEvent } from "dub/models/operations";
import { parseCsv } from "../helpers/csv.js";
import { clickIdFor, unique, type VisitAs } from "../helpers/journey.js";
import { rejection } from "../helpers/rejection.js";
import { BROWSER_UA, startServer, type TestServer } from "../helpers/server.js";

const IPHONE_UA =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const METADATA = { plan: 'pro, "yearly"', note: "first line\r\nsecond line" };

let server: TestServer;
let dub: Dub;

type Link = Awaited<ReturnType<Dub["links"]["create"]>>;
/** The default workspace's shop: two links, five clicks, two customers with a lead each and three sales. */
const shop = {} as {
  linkA: Link;
  linkB: Link;
  a1: string;
  a2: string;
  a3: string;
  b1: string;
  b2: string;
  ann: string;
  bob: string;
};

const click = (key: string, as: VisitAs = {}, target = server) => clickIdFor(target, key, as);

before(async () => {
  server = await startServer({ TRUST_PROXY: "true" });
  dub = server.sdk();
  const suffix = unique("shop");
  shop.linkA = await dub.links.create({
    url: "https://shop.example/a",
    key: `a-${suffix}`,
    trackConversion: true,
    externalId: `ext-${suffix}`,
    tenantId: `tenant-${suffix}`,
  });
  shop.linkB = await dub.links.create({
    url: "https://shop.example/b?utm_source=newsletter&utm_campaign=spring",
    key: `b-${suffix}`,
    trackConversion: true,
  });
  shop.a1 = await click(shop.linkA.key, { country: "DE", referer: "https://www.google.com/search?q=shop" });
  shop.a2 = await click(shop.linkA.key, { country: "US", userAgent: IPHONE_UA });
  shop.a3 = await click(shop.linkA.key, { country: "FR", qr: true });
  shop.b1 = await click(shop.linkB.key, { country: "US" });
  shop.b2 = await click(shop.linkB.key, { country: "DE" });
  shop.ann = unique("ann");
  shop.bob = unique("bob");
  await dub.track.lead({
    clickId: shop.a1,
    eventName: "Sign up",
    customerExternalId: shop.ann,
    customerName: "Ann",
    customerEmail: "ann@example.com",
    metadata: METADATA,
  });
  await dub.track.lead({ clickId: shop.b1, eventName: "Sign up", customerExternalId: shop.bob });
  await dub.track.sale({ customerExternalId: shop.ann, amount: 5000, invoiceId: unique("inv") });
  await dub.track.sale({ customerExternalId: shop.ann, amount: 700, paymentProcessor: "stripe" });
  await dub.track.sale({ customerExternalId: shop.bob, amount: 1200 });
});
after(async () => server?.stop());

function ofKind<K extends ListEventsResponseBody["event"]>(events: ListEventsResponseBody[], kind: K) {
  return events.map((event) => {
    assert.equal(event.event, kind);
    return event as Extract<ListEventsResponseBody, { event: K }>;
  });
}

const clicksOf = async (request: Parameters<Dub["events"]["list"]>[0] = {}, sdk = dub) =>
  ofKind(await sdk.events.list({ event: "clicks", ...request }), "click");
const clickIds = async (request: Parameters<Dub["events"]["list"]>[0] = {}, sdk = dub) =>
  (await clicksOf(request, sdk)).map((event) => event.click.id).sort();

// biome-ignore lint/suspicious/noExplicitAny: raw JSON answers, asserted field by field
type Json = any;

async function rawGet(path: string, key = server.key) {
  const response = await fetch(`${server.origin}/api${path}`, {
    headers: { authorization: `Bearer ${key}` },
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const rawEvents = async (query: string, key = server.key): Promise<Json[]> => {
  const answer = await rawGet(`/events?${query}`, key);
  assert.equal(answer.status, 200, answer.text);
  return JSON.parse(answer.text);
};

describe("GET /events: shapes", () => {
  test("click events decode in the SDK, with the click, the full link and the deprecated flat fields", async () => {
    const events: ClickEvent[] = await clicksOf({ linkId: shop.linkA.id });
    assert.equal(events.length, 3);
    for (const event of events) {
      assert.equal(event.link.id, shop.linkA.id);
      assert.equal(event.link.shortLink, shop.linkA.shortLink);
      assert.equal(event.link.externalId, shop.linkA.externalId);
      assert.equal(event.clickId, event.click.id);
      assert.equal(event.linkId, shop.linkA.id);
      assert.equal(event.domain, shop.linkA.domain);
      assert.equal(event.key, shop.linkA.key);
      assert.equal(event.url, "https://shop.example/a");
      assert.equal(event.timestamp, event.click.timestamp);
      assert.equal(event.click.ua === BROWSER_UA || event.click.ua === IPHONE_UA, true);
    }
    const qr = events.find((event) => event.click.id === shop.a3);
    assert.equal(qr?.qr, 1);
    assert.equal(qr?.click.qr, true);
    assert.equal(qr?.click.trigger, "qr");
    const fromGoogle = events.find((event) => event.click.id === shop.a1);
    assert.equal(fromGoogle?.qr, 0);
    assert.equal(fromGoogle?.country, "DE");
    assert.equal(fromGoogle?.click.referer, "google.com");
    assert.equal(fromGoogle?.click.refererUrl, "https://www.google.com/search?q=shop");
  });

  test("lead events carry the event, its click, link and customer", async () => {
    const events: LeadEvent[] = ofKind(await dub.events.list({ event: "leads" }), "lead");
    assert.equal(events.length, 2);
    const ann = events.find((event) => event.customer.externalId === shop.ann);
    assert.ok(ann);
    assert.equal(ann.eventName, "Sign up");
    assert.match(ann.eventId, /^\w{16}$/);
    assert.deepEqual(ann.metadata, METADATA);
    assert.equal(ann.click.id, shop.a1);
    assert.equal(ann.clickId, shop.a1);
    assert.equal(ann.link.id, shop.linkA.id);
    assert.equal(ann.customer.name, "Ann");
    assert.equal(ann.customer.email, "ann@example.com");
    assert.match(ann.customer.id, /^cus_/);
    const bob = events.find((event) => event.customer.externalId === shop.bob);
    assert.equal(bob?.metadata, null);
    assert.equal(bob?.link.id, shop.linkB.id);
  });

  test("sale events carry the sale, and invoice_id is a string even without an invoice", async () => {
    const events: SaleEvent[] = ofKind(await dub.events.list({ event: "sales" }), "sale");
    assert.equal(events.length, 3);
    const withInvoice = events.find((event) => event.sale.amount === 5000);
    assert.ok(withInvoice);
    assert.match(withInvoice.sale.invoiceId ?? "", /^inv-/);
    assert.equal(withInvoice.invoiceId, withInvoice.sale.invoiceId);
    assert.equal(withInvoice.saleAmount, 5000);
    assert.equal(withInvoice.sale.paymentProcessor, "custom");
    assert.equal(withInvoice.sale.currency, "usd");
    assert.equal(withInvoice.customer.externalId, shop.ann);
    assert.equal(withInvoice.customer.sales, 2);
    assert.equal(withInvoice.customer.saleAmount, 5700);
    const stripe = events.find((event) => event.sale.amount === 700);
    assert.equal(stripe?.sale.invoiceId, null);
    assert.equal(stripe?.invoiceId, "");
    assert.equal(stripe?.paymentProcessor, "stripe");

    const [raw] = await rawEvents(`event=sales&customerId=${withInvoice.customer.id}&sortOrder=asc`);
    for (const key of ["click_id", "link_id", "domain", "key", "url", "continent", "country", "city"]) {
      assert.equal(typeof raw[key], "string", key);
    }
    for (const key of ["device", "browser", "os", "ip", "invoice_id", "payment_processor"]) {
      assert.equal(typeof raw[key], "string", key);
    }
    assert.equal(raw.qr, 0);
    assert.equal(raw.customer.stripeCustomerId, null);
    assert.equal(raw.customer.subscriptionCanceledAt, null);
  });
});

describe("GET /events: pages and order", () => {
  test("newest first by default; pages of `limit` concatenate to the whole list", async () => {
    const all = await clicksOf({ limit: 1000 });
    assert.equal(all.length, 5);
    const times = all.map((event) => Date.parse(event.timestamp));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
    );
    const paged: string[] = [];
    for (let page = 1; page <= 3; page++) {
      paged.push(...(await clicksOf({ limit: 2, page })).map((event) => event.click.id));
    }
    assert.deepEqual(
      paged,
      all.map((event) => event.click.id),
    );
    assert.deepEqual(await clicksOf({ limit: 2, page: 4 }), []);
  });

  test("sortOrder asc is the exact reverse, and the deprecated order=asc means the same", async () => {
    const desc = (await clicksOf()).map((event) => event.click.id);
    const asc = (await clicksOf({ sortOrder: "asc" })).map((event) => event.click.id);
    assert.deepEqual(asc, [...desc].reverse());
    assert.deepEqual(
      (await clicksOf({ order: "asc" })).map((event) => event.click.id),
      asc,
    );
    assert.deepEqual(
      (await rawEvents("order=asc")).map((event) => event.click.id),
      asc,
    );
  });

  test("limit is at most 1000; a bad time zone or date is refused", async () => {
    await rejection(dub.events.list({ limit: 1001 }), 422);
    await rejection(dub.events.list({ timezone: "Mars/Olympus_Mons" }), 422);
    await rejection(dub.events.list({ start: "yesterday" }), 422);
    await rejection(dub.events.list({ start: "2024-02-01", end: "2024-01-01" }), 400);
  });

  test("a key needs analytics.read", async () => {
    const linksOnly = await server.services.workspaces.createKey({
      workspaceId: server.workspaceId,
      scopes: ["links.read"],
    });
    await rejection(server.sdk(linksOnly.key).events.list({}), 403);
    const analytics = await server.services.workspaces.createKey({
      workspaceId: server.workspaceId,
      scopes: ["analytics.read"],
    });
    assert.equal((await server.sdk(analytics.key).events.list({})).length, 5);
  });
});

describe("GET /events: filters", () => {
  test("link-level: linkId, domain and key, externalId (with or without ext_), tenantId", async () => {
    const { linkA, linkB, a1, a2, a3, b1, b2 } = shop;
    const onA = [a1, a2, a3].sort();
    assert.deepEqual(await clickIds({ linkId: linkA.id }), onA);
    assert.deepEqual(await clickIds({ domain: linkB.domain, key: linkB.key }), [b1, b2].sort());
    assert.deepEqual(await clickIds({ externalId: linkA.externalId ?? "" }), onA);
    assert.deepEqual(await clickIds({ externalId: `ext_${linkA.externalId}` }), onA);
    assert.deepEqual(await clickIds({ tenantId: linkA.tenantId ?? "" }), onA);
    assert.deepEqual(await clickIds({ linkId: "link_nope" }), []);
    assert.deepEqual(await clickIds({ key: `${linkA.key}-nope` }), []);
  });

  test("event-level: country, device, browser, os, referer, url, utm, qr, and combinations", async () => {
    const { a1, a2, a3, b1, b2, linkA, linkB } = shop;
    assert.deepEqual(await clickIds({ country: "DE" }), [a1, b2].sort());
    const all = await clicksOf();
    const mobile = all.find((event) => event.click.id === a2)?.click;
    assert.ok(mobile && mobile.device !== "Desktop");
    assert.deepEqual(await clickIds({ device: mobile.device }), [a2]);
    assert.deepEqual(await clickIds({ os: mobile.os }), [a2]);
    assert.deepEqual(await clickIds({ browser: mobile.browser }), [a2]);
    assert.deepEqual(await clickIds({ referer: "google.com" }), [a1]);
    assert.deepEqual(await clickIds({ qr: true }), [a3]);
    assert.deepEqual(await clickIds({ qr: false }), [a1, a2, b1, b2].sort());
    assert.deepEqual(await clickIds({ url: linkB.url }), [b1, b2].sort());
    assert.deepEqual(await clickIds({ utmSource: "newsletter" }), [b1, b2].sort());
    assert.deepEqual(await clickIds({ utmCampaign: "spring", country: "US" }), [b1]);
    assert.deepEqual(await clickIds({ linkId: linkA.id, country: "US" }), [a2]);
    assert.deepEqual(await clickIds({ linkId: linkA.id, country: "JP" }), []);
  });

  test("conversions filter on their own attribution: a lead or sale has its click's country", async () => {
    const leads = ofKind(await dub.events.list({ event: "leads", country: "DE" }), "lead");
    assert.deepEqual(
      leads.map((event) => event.customer.externalId),
      [shop.ann],
    );
    const sales = ofKind(await dub.events.list({ event: "sales", linkId: shop.linkB.id }), "sale");
    assert.deepEqual(
      sales.map((event) => event.customer.externalId),
      [shop.bob],
    );
  });

  test("customerId: the customer's leads and sales, and the clicks that led to them", async () => {
    const customer = await dub.customers.get({ id: `ext_${shop.ann}` });
    const leads = ofKind(await dub.events.list({ event: "leads", customerId: customer.id }), "lead");
    assert.deepEqual(
      leads.map((event) => event.customer.id),
      [customer.id],
    );
    const sales = ofKind(await dub.events.list({ event: "sales", customerId: customer.id }), "sale");
    assert.deepEqual(sales.map((event) => event.sale.amount).sort(), [5000, 700].sort());
    assert.deepEqual(await clickIds({ customerId: customer.id }), [shop.a1]);
  });

  test("filters on features Clicktrail has no part of (tags, folders, partners) match nothing", async () => {
    assert.deepEqual(await dub.events.list({ tagId: "tag_1" }), []);
    assert.deepEqual(await dub.events.list({ folderId: "fold_1" }), []);
    assert.deepEqual(await dub.events.list({ event: "sales", partnerId: "pn_1" }), []);
    await rejection(dub.events.list({ saleType: "new" }), 422);
  });

  test("events of a deleted link are not listed", async () => {
    const link = await dub.links.create({
      url: "https://shop.example/gone",
      key: unique("gone"),
      trackConversion: true,
    });
    const clickId = await click(link.key);
    assert.deepEqual(await clickIds({ linkId: link.id }), [clickId]);
    await dub.links.delete(link.id);
    assert.deepEqual(await clickIds({ linkId: link.id }), []);
    assert.equal((await clicksOf()).length, 5);
  });
});

describe("GET /events: intervals and time zones", () => {
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  let ws: { key: string; workspaceId: string };
  let sdk: Dub;
  /** Click id → timestamp (epoch ms). */
  const at = new Map<string, number>();

  before(async () => {
    ws = await server.newWorkspace();
    sdk = server.sdk(ws.key);
    const link = await sdk.links.create({
      url: "https://shop.example/time",
      key: unique("time"),
      trackConversion: true,
    });
    const now = Date.now();
    const times = {
      hourAgo: now - HOUR,
      threeDays: now - 3 * DAY,
      fortyFiveDays: now - 45 * DAY,
      fourHundredDays: now - 400 * DAY,
      // 01:30 EST and 00:30 EST on the day New York moves to summer time (02:00 → 03:00).
      dstInside: Date.parse("2024-03-10T06:30:00Z"),
      dstBefore: Date.parse("2024-03-10T05:30:00Z"),
    };
    for (const timestamp of Object.values(times)) {
      const id = await click(link.key);
      await server.storage.db.updateTable("clicks").set({ timestamp }).where("id", "=", id).execute();
      at.set(id, timestamp);
    }
  });

  const idsSince = (start: number, end = Date.now()) =>
    [...at].flatMap(([id, ts]) => (ts >= start && ts <= end ? [id] : [])).sort();

  test("rolling intervals, the default 24h, and all", async () => {
    const now = Date.now();
    assert.deepEqual(await clickIds({}, sdk), idsSince(now - DAY));
    assert.equal((await clickIds({}, sdk)).length, 1);
    assert.deepEqual(await clickIds({ interval: "24h" }, sdk), idsSince(now - DAY));
    assert.deepEqual(await clickIds({ interval: "7d" }, sdk), idsSince(now - 7 * DAY));
    assert.deepEqual(await clickIds({ interval: "30d" }, sdk), idsSince(now - 30 * DAY));
    assert.deepEqual(await clickIds({ interval: "90d" }, sdk), idsSince(now - 90 * DAY));
    assert.equal((await clickIds({ interval: "90d" }, sdk)).length, 3);
    assert.deepEqual(await clickIds({ interval: "1y" }, sdk), idsSince(now - 365 * DAY));
    assert.deepEqual(await clickIds({ interval: "all" }, sdk), [...at.keys()].sort());
  });

  test("month, quarter and year to date start at midnight UTC by default", async () => {
    const today = new Date();
    const year = today.getUTCFullYear();
    const month = today.getUTCMonth();
    assert.deepEqual(await clickIds({ interval: "mtd" }, sdk), idsSince(Date.UTC(year, month, 1)));
    assert.deepEqual(
      await clickIds({ interval: "qtd" }, sdk),
      idsSince(Date.UTC(year, month - (month % 3), 1)),
    );
    assert.deepEqual(await clickIds({ interval: "ytd" }, sdk), idsSince(Date.UTC(year, 0, 1)));
  });

  test("start and end win over interval", async () => {
    const now = Date.now();
    const start = new Date(now - 4 * DAY).toISOString();
    const end = new Date(now - 2 * DAY).toISOString();
    assert.deepEqual(
      await clickIds({ interval: "24h", start, end }, sdk),
      idsSince(now - 4 * DAY, now - 2 * DAY),
    );
    assert.equal((await clickIds({ start, end }, sdk)).length, 1);
  });

  test("a date-time without an offset is wall-clock time in `timezone`, across a DST change", async () => {
    const window = { start: "2024-03-10T01:00:00", end: "2024-03-10T03:30:00" };
    const inside = [...at].find(([, ts]) => ts === Date.parse("2024-03-10T06:30:00Z"))?.[0];
    assert.deepEqual(await clickIds({ ...window, timezone: "America/New_York" }, sdk), [inside]);
    assert.deepEqual(await clickIds({ ...window, timezone: "UTC" }, sdk), []);
    assert.deepEqual(
      await clickIds({ start: "2024-03-10", end: "2024-03-11", timezone: "America/New_York" }, sdk),
      [
        ...[...at].flatMap(([id, ts]) =>
          ts >= Date.parse("2024-03-10T05:00:00Z") && ts < Date.parse("2024-03-11T04:00:00Z") ? [id] : [],
        ),
      ].sort(),
    );
  });
});

describe("another workspace", () => {
  test("sees none of these events, even filtering by this workspace's link", async () => {
    const theirs = await server.newWorkspace();
    const sdk = server.sdk(theirs.key);
    for (const event of ["clicks", "leads", "sales"] as const) {
      assert.deepEqual(await sdk.events.list({ event, interval: "all" }), []);
      assert.deepEqual(await sdk.events.list({ event, interval: "all", linkId: shop.linkA.id }), []);
    }
    const customer = await dub.customers.get({ id: `ext_${shop.ann}` });
    assert.deepEqual(await sdk.events.list({ event: "leads", customerId: customer.id }), []);
    const csv = await rawGet("/events/export?event=leads&interval=all", theirs.key);
    assert.equal(parseCsv(csv.text).length, 1);

    const link = await sdk.links.create({
      url: "https://theirs.example",
      key: unique("theirs"),
      trackConversion: true,
    });
    const clickId = await click(link.key);
    assert.deepEqual(await clickIds({}, sdk), [clickId]);
    assert.equal(
      (await clicksOf()).some((event) => event.click.id === clickId),
      false,
    );
  });
});

/** The CSV field a JSON value becomes: empty for null, JSON for objects. */
const field = (value: unknown) =>
  value === null || value === undefined
    ? ""
    : typeof value === "object"
      ? JSON.stringify(value)
      : String(value);

const valueAt = (event: Json, path: string) => path.split(".").reduce((value, step) => value?.[step], event);

describe("GET /events/export", () => {
  for (const event of ["clicks", "leads", "sales"] as const) {
    test(`${event}: the CSV parsed back is /events, row for row`, async () => {
      const json = await rawEvents(`event=${event}&interval=all&limit=1000`);
      const answer = await rawGet(`/events/export?event=${event}&interval=all`);
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get("content-type"), "text/csv; charset=utf-8");
      assert.match(
        answer.headers.get("content-disposition") ?? "",
        /^attachment; filename="clicktrail-.+\.csv"$/,
      );
      const [header, ...rows] = parseCsv(answer.text);
      assert.ok(header.includes("timestamp") && header.includes("link.shortLink"));
      assert.equal(rows.length, json.length);
      assert.ok(rows.length > 0);
      rows.forEach((row, index) => {
        assert.deepEqual(
          row,
          header.map((path) => field(valueAt(json[index], path))),
        );
      });
    });
  }

  test("quotes fields with commas, quotes and line breaks (RFC 4180)", async () => {
    const answer = await rawGet(
      `/events/export?event=leads&customerId=${(await dub.customers.get({ id: `ext_${shop.ann}` })).id}`,
    );
    assert.ok(answer.text.includes('"{""plan"":""pro, \\""yearly\\"""'));
    const [header, row] = parseCsv(answer.text);
    assert.deepEqual(JSON.parse(row[header.indexOf("metadata")]), METADATA);
  });

  test("text a spreadsheet would run as a formula is exported behind a ' (and numbers stay numbers)", async () => {
    const ws = await server.newWorkspace();
    const sdk = server.sdk(ws.key);
    const link = await sdk.links.create({
      url: "https://formula.example",
      key: unique("formula"),
      trackConversion: true,
    });
    const clickId = await click(link.key);
    await sdk.track.lead({
      clickId,
      eventName: '=HYPERLINK("https://evil.example")',
      customerExternalId: "+cmd",
      customerName: "@SUM(A1)",
    });
    const answer = await rawGet(
      "/events/export?event=leads&columns=eventName,customer.externalId,customer.name",
      ws.key,
    );
    const [, row] = parseCsv(answer.text);
    assert.deepEqual(row, ['\'=HYPERLINK("https://evil.example")', "'+cmd", "'@SUM(A1)"]);
  });

  test("columns chooses and orders the columns; an unknown one is refused", async () => {
    const answer = await rawGet(
      "/events/export?event=sales&columns=sale.amount,customer.externalId&sortOrder=asc",
    );
    const [header, ...rows] = parseCsv(answer.text);
    assert.deepEqual(header, ["sale.amount", "customer.externalId"]);
    assert.deepEqual(rows, [
      ["5000", shop.ann],
      ["700", shop.ann],
      ["1200", shop.bob],
    ]);
    const refused = rawGet("/events/export?event=clicks&columns=timestamp,customer.email");
    await rejection(refused, 422, { message: /customer\.email/ });
  });

  test("thousands of rows, many sharing a timestamp: every one exactly once, in /events order", async () => {
    const ws = await server.newWorkspace();
    const link = await server.sdk(ws.key).links.create({ url: "https://bulk.example", key: unique("bulk") });
    const base = Date.now() - 3_600_000;
    const rows = Array.from({ length: 1234 }, (_, i) => ({
      id: `bulk${Math.random().toString(36).slice(2, 10)}${i}`,
      workspace_id: ws.workspaceId,
      link_id: link.id,
      timestamp: base + Math.floor(i / 7) * 1000,
      identity_hash: `visitor${i}`,
      domain: link.domain,
      key: link.key,
      url: link.url,
      ip: "10.9.9.9",
      country: "DE",
      continent: "EU",
      region: "Unknown",
      city: "Berlin",
      device: "Desktop",
      browser: "Chrome",
      os: "Mac OS",
      engine: "Blink",
      ua: "bulk",
      referer: "(direct)",
      referer_url: "(direct)",
      qr: 0,
      trigger: "link",
      utm_source: null,
      utm_medium: null,
      utm_campaign: null,
      utm_term: null,
      utm_content: null,
    }));
    for (let i = 0; i < rows.length; i += 200) {
      await server.storage.db
        .insertInto("clicks")
        .values(rows.slice(i, i + 200))
        .execute();
    }
    for (const sortOrder of ["desc", "asc"]) {
      const listed = [
        ...(await rawEvents(`sortOrder=${sortOrder}&limit=1000&page=1`, ws.key)),
        ...(await rawEvents(`sortOrder=${sortOrder}&limit=1000&page=2`, ws.key)),
      ].map((event) => event.click.id);
      const csv = await rawGet(`/events/export?sortOrder=${sortOrder}&columns=click.id`, ws.key);
      const exported = parseCsv(csv.text)
        .slice(1)
        .map(([id]) => id);
      assert.equal(exported.length, 1234);
      assert.equal(new Set(exported).size, 1234);
      assert.deepEqual(exported, listed);
    }
  });
});
