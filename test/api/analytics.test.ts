import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Dub } from "dub";
import { ResponseValidationError } from "dub/models/errors";
import type { RetrieveAnalyticsRequest } from "dub/models/operations";
import type { Click } from "../../src/domain/clicks/model.js";
import { attributionOf } from "../../src/domain/conversions/attribution.js";
import { newCustomer } from "../../src/domain/customers/new-customer.js";
import { newEventId } from "../../src/domain/ids.js";
import { testClick } from "../helpers/clicks.js";
import { clickIdFor, trackedLink } from "../helpers/journey.js";
import { rejection } from "../helpers/rejection.js";
import { startServer, type TestServer } from "../helpers/server.js";

type Link = Awaited<ReturnType<Dub["links"]["create"]>>;
type Fixture = { kind: "click" | "lead" | "sale"; at: number; click: Click; amount: number };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (text: string) => Date.parse(text);

let server: TestServer;
let dub: Dub;
let links: { news: Link; plain: Link };
const fixtures: Fixture[] = [];
let sequence = 0;

/** A click on `link` at `at`, as the redirect would have recorded it. */
function clickOn(link: Link, at: number, context: Partial<Click> = {}): Click {
  sequence += 1;
  return testClick(server.workspaceId, link, {
    id: `clk${String(sequence).padStart(13, "0")}`,
    timestamp: at,
    identityHash: `visitor-${sequence}`,
    ip: "203.0.113.9",
    country: "US",
    continent: "NA",
    region: "US-NY",
    city: "New York",
    utmSource: link.utmSource ?? null,
    utmMedium: link.utmMedium ?? null,
    utmCampaign: link.utmCampaign ?? null,
    utmTerm: link.utmTerm ?? null,
    utmContent: link.utmContent ?? null,
    ...context,
  });
}

async function recordClick(click: Click): Promise<Click> {
  await server.storage.stores.clicks.recordBatch([click], 0);
  fixtures.push({ kind: "click", at: click.timestamp, click, amount: 0 });
  return click;
}

/** A lead at `leadAt` from the customer of `click`, and a sale of `cents` USD at `saleAt` when given. */
async function recordConversion(click: Click, leadAt: number, sale?: { at: number; cents: number }) {
  const { conversions } = server.storage.stores;
  const attribution = attributionOf(click);
  const customer = newCustomer({ workspaceId: click.workspaceId, externalId: `user-${click.id}` }, leadAt);
  const leadId = newEventId();
  const { customer: stored } = await conversions.recordLead({
    customer,
    slug: "sign-up",
    events: [
      {
        ...attribution,
        id: leadId,
        workspaceId: click.workspaceId,
        customerId: customer.id,
        timestamp: leadAt,
        eventName: "Sign up",
        metadata: null,
      },
    ],
  });
  fixtures.push({ kind: "lead", at: leadAt, click, amount: 0 });
  if (!sale) return stored;
  await conversions.recordSale({
    event: {
      ...attribution,
      id: newEventId(),
      workspaceId: click.workspaceId,
      customerId: stored.id,
      leadEventId: leadId,
      timestamp: sale.at,
      eventName: "Purchase",
      money: {
        amount: sale.cents,
        currency: "usd",
        converted: true,
        originalAmount: sale.cents,
        originalCurrency: "usd",
      },
      paymentProcessor: "stripe",
      invoiceId: null,
      metadata: null,
    },
    receipt: "{}",
  });
  fixtures.push({ kind: "sale", at: sale.at, click, amount: sale.cents });
  return stored;
}

/** The SDK's decoded answer, or (for the groupings its union of schemas cannot decode) the raw body. */
async function analytics(params: RetrieveAnalyticsRequest, client = dub): Promise<unknown> {
  try {
    return await client.analytics.retrieve(params);
  } catch (error) {
    if (!(error instanceof ResponseValidationError)) throw error;
    assert.match(String(params.groupBy), /^(utm_|top_domains)/, `the SDK could not decode ${params.groupBy}`);
    return error.rawValue;
  }
}

type Counts = { clicks: number; leads: number; sales: number; saleAmount: number };
const zero = (): Counts => ({ clicks: 0, leads: 0, sales: 0, saleAmount: 0 });

/** What every fixture in [start, end] (and matching `keep`) adds up to, grouped by `keyOf`. */
function expected(
  start: number,
  end: number,
  keyOf: (f: Fixture) => string | null,
  keep = (_: Fixture) => true,
) {
  const groups = new Map<string, Counts>();
  for (const fixture of fixtures) {
    if (fixture.at < start || fixture.at > end || !keep(fixture)) continue;
    const key = keyOf(fixture);
    if (key === null) continue;
    const counts = groups.get(key) ?? zero();
    if (fixture.kind === "click") counts.clicks += 1;
    if (fixture.kind === "lead") counts.leads += 1;
    if (fixture.kind === "sale") {
      counts.sales += 1;
      counts.saleAmount += fixture.amount;
    }
    groups.set(key, counts);
  }
  return groups;
}

/** Rows of a grouping as a map from their key fields to their counts. */
function byKey(rows: unknown, fields: string[]): Map<string, Counts> {
  assert.ok(Array.isArray(rows), `expected an array, got ${JSON.stringify(rows)}`);
  return new Map(
    (rows as Record<string, unknown>[]).map((row) => [
      fields.map((field) => String(row[field])).join("|"),
      { clicks: row.clicks, leads: row.leads, sales: row.sales, saleAmount: row.saleAmount } as Counts,
    ]),
  );
}

// A window of fixed events around the 2026 DST changes, in the server's default workspace.
const WINDOW = { start: "2026-03-06T00:00:00Z", end: "2026-03-11T00:00:00Z" };

before(async () => {
  server = await startServer({ TRUST_PROXY: "true" });
  dub = server.sdk();
  links = {
    news: await dub.links.create({
      url: "https://example.com/a?utm_source=news&utm_medium=email&utm_campaign=spring",
      key: "news",
      trackConversion: true,
    }),
    plain: await dub.links.create({
      url: "https://example.com/b",
      key: "plain",
      externalId: "ext-plain",
      tenantId: "tenant-1",
      trackConversion: true,
    }),
  };
  const { news, plain } = links;
  // New York: clocks go from 02:00 EST to 03:00 EDT at 2026-03-08T07:00Z.
  const c1 = await recordClick(
    clickOn(news, iso("2026-03-07T12:00:00Z"), {
      referer: "google.com",
      refererUrl: "https://www.google.com/search",
    }),
  );
  await recordClick(
    clickOn(news, iso("2026-03-08T04:30:00Z"), {
      country: "DE",
      continent: "EU",
      region: "DE-BE",
      city: "Berlin",
      device: "Mobile",
      browser: "Mobile Safari",
      os: "iOS",
      qr: true,
      trigger: "qr",
    }),
  );
  await recordClick(clickOn(news, iso("2026-03-08T05:30:00Z"), { city: "Buffalo" }));
  const c4 = await recordClick(
    clickOn(plain, iso("2026-03-09T03:30:00Z"), {
      country: "GB",
      continent: "EU",
      region: "GB-ENG",
      city: "London",
      referer: "t.co",
      refererUrl: "https://t.co/x",
    }),
  );
  await recordClick(clickOn(plain, iso("2026-03-09T04:30:00Z"), { device: "Tablet", browser: "Firefox" }));
  await recordClick(
    clickOn(plain, iso("2026-03-10T12:00:00Z"), { country: "Unknown", continent: "Unknown" }),
  );
  await recordConversion(c1, iso("2026-03-08T06:30:00Z"), { at: iso("2026-03-08T07:30:00Z"), cents: 5000 });
  await recordConversion(c4, iso("2026-03-09T05:00:00Z"), { at: iso("2026-03-10T01:00:00Z"), cents: 1999 });
  // Berlin: clocks go back from 03:00 CEST to 02:00 CET at 2026-10-25T01:00Z, so 02:30 happens twice.
  await recordClick(clickOn(news, iso("2026-10-25T00:30:00Z")));
  await recordClick(clickOn(news, iso("2026-10-25T01:30:00Z")));
  await recordClick(clickOn(news, iso("2026-10-25T01:45:00Z")));
});

after(async () => {
  await server.stop();
});

describe("GET /analytics over a fixed window", () => {
  const range = { start: WINDOW.start, end: WINDOW.end, event: "composite" as const };
  const [start, end] = [iso(WINDOW.start), iso(WINDOW.end)];

  test("count: every kind of event, with saleAmount in cents", async () => {
    const total = expected(start, end, () => "").get("") ?? zero();
    assert.deepEqual(await analytics({ ...range, groupBy: "count" }), total);
    assert.deepEqual(total, { clicks: 6, leads: 2, sales: 2, saleAmount: 6999 });
    assert.deepEqual(await analytics({ ...range, event: "clicks", groupBy: "count" }), {
      ...zero(),
      clicks: 6,
    });
    assert.deepEqual(await analytics({ ...range, event: "sales", groupBy: "count" }), {
      ...zero(),
      sales: 2,
      saleAmount: 6999,
    });
  });

  const groupings: [
    NonNullable<RetrieveAnalyticsRequest["groupBy"]>,
    string[],
    (f: Fixture) => string | null,
  ][] = [
    ["countries", ["country"], (f) => f.click.country],
    ["regions", ["country", "region"], (f) => `${f.click.country}|${f.click.region}`],
    ["cities", ["country", "region", "city"], (f) => `${f.click.country}|${f.click.region}|${f.click.city}`],
    ["devices", ["device"], (f) => f.click.device],
    ["browsers", ["browser"], (f) => f.click.browser],
    ["os", ["os"], (f) => f.click.os],
    ["referers", ["referer"], (f) => f.click.referer],
    ["referer_urls", ["refererUrl"], (f) => f.click.refererUrl],
    ["triggers", ["trigger"], (f) => f.click.trigger],
    ["trigger", ["trigger"], (f) => f.click.trigger],
    ["top_urls", ["url"], (f) => f.click.url],
    ["top_domains", ["domain"], (f) => f.click.domain],
    ["top_links", ["id"], (f) => f.click.linkId],
    ["utm_sources", ["utm_source"], (f) => f.click.utmSource],
    ["utm_mediums", ["utm_medium"], (f) => f.click.utmMedium],
    ["utm_campaigns", ["utm_campaign"], (f) => f.click.utmCampaign],
    ["utm_terms", ["utm_term"], (f) => f.click.utmTerm],
    ["utm_contents", ["utm_content"], (f) => f.click.utmContent],
    // Only the continent codes the SDK's enum knows: the "Unknown" one would make the answer undecodable.
    ["continents", ["continent"], (f) => (f.click.continent === "Unknown" ? null : f.click.continent)],
  ];
  for (const [groupBy, fields, keyOf] of groupings) {
    test(`groupBy ${groupBy}`, async () => {
      const rows = await analytics({ ...range, groupBy });
      assert.deepEqual(byKey(rows, fields), expected(start, end, keyOf));
      const clicks = (rows as Counts[]).map((row) => row.clicks);
      assert.deepEqual(
        clicks,
        [...clicks].sort((a, b) => b - a),
        "ranked by clicks",
      );
    });
  }

  test("top_links rows carry the link", async () => {
    const rows = (await analytics({ ...range, groupBy: "top_links" })) as Record<string, unknown>[];
    const news = rows.find((row) => row.id === links.news.id);
    assert.deepEqual(
      { ...news, createdAt: undefined },
      {
        link: links.news.id,
        id: links.news.id,
        domain: links.news.domain,
        key: "news",
        shortLink: links.news.shortLink,
        url: links.news.url,
        title: null,
        comments: null,
        folderId: null,
        partnerId: null,
        createdAt: undefined,
        clicks: 3,
        leads: 1,
        sales: 1,
        saleAmount: 5000,
      },
    );
    assert.equal(news?.createdAt, links.news.createdAt);
  });

  test("groupings of sales are ranked by revenue and leave out rows without sales", async () => {
    const rows = await analytics({ ...range, event: "sales", groupBy: "top_links" });
    assert.deepEqual(
      (rows as Record<string, unknown>[]).map((row) => [row.id, row.saleAmount, row.clicks]),
      [
        [links.news.id, 5000, 0],
        [links.plain.id, 1999, 0],
      ],
    );
  });
});

describe("time zones", () => {
  test("day buckets in America/New_York across the start of DST: a 23-hour day", async () => {
    const rows = await analytics({
      event: "composite",
      groupBy: "timeseries",
      start: "2026-03-07",
      end: "2026-03-09T23:59:59.999",
      timezone: "America/New_York",
    });
    assert.deepEqual(rows, [
      { start: "2026-03-07T05:00:00.000Z", clicks: 2, leads: 0, sales: 0, saleAmount: 0 },
      { start: "2026-03-08T05:00:00.000Z", clicks: 2, leads: 1, sales: 1, saleAmount: 5000 },
      { start: "2026-03-09T04:00:00.000Z", clicks: 1, leads: 1, sales: 1, saleAmount: 1999 },
    ]);
    // The same events by UTC day.
    const utc = await analytics({
      event: "composite",
      groupBy: "timeseries",
      start: "2026-03-07",
      end: "2026-03-09T23:59:59.999",
    });
    assert.deepEqual(
      (utc as { start: string; clicks: number }[]).map((row) => [row.start, row.clicks]),
      [
        ["2026-03-07T00:00:00.000Z", 1],
        ["2026-03-08T00:00:00.000Z", 2],
        ["2026-03-09T00:00:00.000Z", 2],
      ],
    );
  });

  test("hour buckets skip the hour that does not exist", async () => {
    const rows = (await analytics({
      event: "composite",
      groupBy: "timeseries",
      start: "2026-03-08T00:00",
      end: "2026-03-08T04:59:59.999",
      timezone: "America/New_York",
    })) as { start: string; clicks: number; leads: number; sales: number }[];
    assert.deepEqual(
      rows.map((row) => [row.start, row.clicks, row.leads, row.sales]),
      [
        ["2026-03-08T05:00:00.000Z", 1, 0, 0], // 00:00 EST
        ["2026-03-08T06:00:00.000Z", 0, 1, 0], // 01:00 EST
        ["2026-03-08T07:00:00.000Z", 0, 0, 1], // 03:00 EDT
        ["2026-03-08T08:00:00.000Z", 0, 0, 0], // 04:00 EDT
      ],
    );
  });

  test("an hour repeated when clocks go back is a bucket of its own (Europe/Berlin)", async () => {
    const rows = (await analytics({
      groupBy: "timeseries",
      start: "2026-10-25T01:00",
      end: "2026-10-25T03:59:59.999",
      timezone: "Europe/Berlin",
    })) as { start: string; clicks: number }[];
    assert.deepEqual(
      rows.map((row) => [row.start, row.clicks]),
      [
        ["2026-10-24T23:00:00.000Z", 0], // 01:00 CEST
        ["2026-10-25T00:00:00.000Z", 1], // 02:00 CEST
        ["2026-10-25T01:00:00.000Z", 2], // 02:00 CET
        ["2026-10-25T02:00:00.000Z", 0], // 03:00 CET
      ],
    );
  });

  test("a half-hour zone (Asia/Kolkata) cuts days at 18:30 UTC", async () => {
    const rows = (await analytics({
      event: "composite",
      groupBy: "timeseries",
      start: "2026-03-07",
      end: "2026-03-09T23:59:59.999",
      timezone: "Asia/Kolkata",
    })) as { start: string; clicks: number; leads: number; sales: number }[];
    const edges = [
      "2026-03-06T18:30:00Z",
      "2026-03-07T18:30:00Z",
      "2026-03-08T18:30:00Z",
      "2026-03-09T18:30:00Z",
    ];
    assert.deepEqual(
      rows.map((row) => [row.start, row.clicks, row.leads, row.sales]),
      edges.slice(0, 3).map((edge, i) => {
        const counts = expected(iso(edge), iso(edges[i + 1]) - 1, () => "").get("") ?? zero();
        return [new Date(iso(edge)).toISOString(), counts.clicks, counts.leads, counts.sales];
      }),
    );
  });

  test("an unknown time zone is a 422", async () => {
    await rejection(analytics({ groupBy: "count", timezone: "Mars/Olympus_Mons" }), 422, {
      message: /^custom: timezone: /,
    });
  });
});

describe("filters", () => {
  const range = { start: WINDOW.start, end: WINDOW.end, event: "composite" as const };
  const [start, end] = [iso(WINDOW.start), iso(WINDOW.end)];
  const total = (keep: (f: Fixture) => boolean) => expected(start, end, () => "", keep).get("") ?? zero();

  const cases: [
    string,
    Partial<RetrieveAnalyticsRequest> | (() => Partial<RetrieveAnalyticsRequest>),
    (f: Fixture) => boolean,
  ][] = [
    ["linkId", () => ({ linkId: links.plain.id }), (f) => f.click.key === "plain"],
    ["domain and key", () => ({ domain: links.news.domain, key: "news" }), (f) => f.click.key === "news"],
    ["key", { key: "news" }, (f) => f.click.key === "news"],
    ["externalId with ext_", { externalId: "ext_ext-plain" }, (f) => f.click.key === "plain"],
    ["externalId", { externalId: "ext-plain" }, (f) => f.click.key === "plain"],
    ["tenantId", { tenantId: "tenant-1" }, (f) => f.click.key === "plain"],
    ["country (from rollups)", { country: "US" }, (f) => f.click.country === "US"],
    ["device (from rollups)", { device: "Mobile" }, (f) => f.click.device === "Mobile"],
    ["qr (from rollups)", { qr: true }, (f) => f.click.qr],
    ["qr=false (from rollups)", { qr: false }, (f) => !f.click.qr],
    ["utm_source (from rollups)", { utmSource: "news" }, (f) => f.click.utmSource === "news"],
    ["city (from events)", { city: "London" }, (f) => f.click.city === "London"],
    [
      "country and device (from events)",
      { country: "US", device: "Tablet" },
      (f) => f.click.country === "US" && f.click.device === "Tablet",
    ],
    [
      "a link filter and a country",
      { key: "plain", country: "GB" },
      (f) => f.click.key === "plain" && f.click.country === "GB",
    ],
    ["a tag (a feature Clicktrail has not): nothing", { tagId: "tag_1" }, () => false],
  ];
  for (const [name, filterOf, keep] of cases) {
    test(name, async () => {
      const resolved = typeof filterOf === "function" ? filterOf() : filterOf;
      assert.deepEqual(await analytics({ ...range, ...resolved, groupBy: "count" }), total(keep));
      // The same filter under a grouping and a timeseries adds up to the same total.
      const devices = (await analytics({ ...range, ...resolved, groupBy: "devices" })) as Counts[];
      assert.equal(
        devices.reduce((sum, row) => sum + row.clicks, 0),
        total(keep).clicks,
      );
      const series = (await analytics({ ...range, ...resolved, groupBy: "timeseries" })) as Counts[];
      assert.equal(
        series.reduce((sum, row) => sum + row.saleAmount, 0),
        total(keep).saleAmount,
      );
    });
  }

  test("customerId: the customer's lead, sale and the click it came from", async () => {
    const customer = await server.one<{ id: string }>(
      "select id from customers where workspace_id = ? and external_id = ?",
      server.workspaceId,
      `user-${fixtures.find((f) => f.kind === "sale" && f.amount === 1999)?.click.id}`,
    );
    assert.deepEqual(await analytics({ ...range, groupBy: "count", customerId: customer?.id }), {
      clicks: 1,
      leads: 1,
      sales: 1,
      saleAmount: 1999,
    });
  });
});

test("timeseries: every bucket is present, zeros included", async () => {
  const rows = (await analytics({
    event: "composite",
    groupBy: "timeseries",
    start: "2026-02-01",
    end: "2026-02-28T23:59:59.999",
  })) as { start: string; clicks: number }[];
  assert.equal(rows.length, 28);
  assert.deepEqual(rows[0], {
    start: "2026-02-01T00:00:00.000Z",
    clicks: 0,
    leads: 0,
    sales: 0,
    saleAmount: 0,
  });
  assert.ok(
    rows.every((row, i) => row.start === new Date(iso("2026-02-01T00:00:00Z") + i * DAY).toISOString()),
  );
  assert.ok(rows.every((row) => row.clicks === 0));
  // Hours for up to two days, months beyond three.
  const hours = (await analytics({
    groupBy: "timeseries",
    start: "2026-03-08",
    end: "2026-03-08T23:59:59.999",
  })) as unknown[];
  assert.equal(hours.length, 24);
  const months = (await analytics({
    groupBy: "timeseries",
    start: "2026-01-01",
    end: "2026-12-31T23:59:59.999",
  })) as {
    start: string;
    clicks: number;
  }[];
  assert.deepEqual(
    months.map((row) => row.start.slice(0, 7)),
    Array.from({ length: 12 }, (_, m) => `2026-${String(m + 1).padStart(2, "0")}`),
  );
  assert.equal(months[2].clicks, 6);
  assert.equal(months[9].clicks, 3);
});

describe("intervals, and events recorded by the live paths", () => {
  let other: { key: string; workspaceId: string };
  let client: Dub;
  const now = Date.now();
  const ages = [0, 2 * DAY, 20 * DAY, 60 * DAY, 200 * DAY, 400 * DAY];
  const times: number[] = [];

  before(async () => {
    other = await server.newWorkspace();
    client = server.sdk(other.key);
    const link = await trackedLink(server, undefined, other.key);
    // Two real redirects and a lead and a sale through the API: recorded with the clock, as in production.
    const clickId = await clickIdFor(server, link.key, { country: "FR" });
    await clickIdFor(server, link.key);
    await client.track.lead({ clickId, eventName: "Sign up", customerExternalId: "live-1" });
    await client.track.sale({
      customerExternalId: "live-1",
      amount: 2500,
      currency: "usd",
      paymentProcessor: "stripe",
    });
    times.push(Date.now(), Date.now());
    for (const age of ages.slice(1)) {
      const click = clickOn(link, now - age);
      await server.storage.stores.clicks.recordBatch([{ ...click, workspaceId: other.workspaceId }], 0);
      times.push(now - age);
    }
  });

  const startOf = (unit: "month" | "quarter" | "year") => {
    const date = new Date();
    const month =
      unit === "month"
        ? date.getUTCMonth()
        : unit === "quarter"
          ? date.getUTCMonth() - (date.getUTCMonth() % 3)
          : 0;
    return Date.UTC(date.getUTCFullYear(), month, 1);
  };
  const intervals: [NonNullable<RetrieveAnalyticsRequest["interval"]>, number][] = [
    ["24h", now - DAY],
    ["7d", now - 7 * DAY],
    ["30d", now - 30 * DAY],
    ["90d", now - 90 * DAY],
    ["1y", now - 365 * DAY],
    ["all", 0],
  ];
  for (const [interval, from] of intervals) {
    test(`interval ${interval}`, async () => {
      const count = (await analytics({ groupBy: "count", interval }, client)) as Counts;
      assert.equal(count.clicks, times.filter((t) => t >= from).length);
      const series = (await analytics({ groupBy: "timeseries", interval }, client)) as Counts[];
      assert.equal(
        series.reduce((sum, row) => sum + row.clicks, 0),
        count.clicks,
      );
    });
  }
  for (const unit of ["month", "quarter", "year"] as const) {
    const interval = unit === "month" ? "mtd" : unit === "quarter" ? "qtd" : "ytd";
    test(`interval ${interval}`, async () => {
      const count = (await analytics({ groupBy: "count", interval }, client)) as Counts;
      assert.equal(count.clicks, times.filter((t) => t >= startOf(unit)).length);
    });
  }

  test("the live lead and sale are counted (rollups written with the events)", async () => {
    assert.deepEqual(await analytics({ event: "composite", groupBy: "count", interval: "24h" }, client), {
      clicks: 2,
      leads: 1,
      sales: 1,
      saleAmount: 2500,
    });
    const countries = await analytics({ event: "leads", groupBy: "countries", interval: "24h" }, client);
    assert.deepEqual(
      byKey(countries, ["country"]),
      new Map([["FR", { clicks: 0, leads: 1, sales: 0, saleAmount: 0 }]]),
    );
  });

  test("another workspace sees nothing of this one", async () => {
    const fresh = server.sdk((await server.newWorkspace()).key);
    assert.deepEqual(
      await analytics({ event: "composite", groupBy: "count", interval: "all" }, fresh),
      zero(),
    );
    assert.deepEqual(
      await analytics({ event: "composite", groupBy: "top_links", interval: "all" }, fresh),
      [],
    );
    assert.deepEqual(
      await analytics({ groupBy: "countries", linkId: links.news.id, interval: "all" }, fresh),
      [],
    );
    const series = (await analytics(
      { groupBy: "timeseries", start: WINDOW.start, end: WINDOW.end },
      fresh,
    )) as Counts[];
    assert.ok(series.length > 0 && series.every((row) => row.clicks === 0));
  });
});

describe("GET /analytics/export", () => {
  const query = `start=${WINDOW.start}&end=${WINDOW.end}&event=composite`;

  async function exported(params: string): Promise<string[][]> {
    const response = await fetch(`${server.origin}/api/analytics/export?${params}`, {
      headers: { authorization: `Bearer ${server.key}` },
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/csv/);
    return parseCsv(await response.text());
  }

  for (const groupBy of [
    "count",
    "timeseries",
    "top_links",
    "countries",
    "cities",
    "referer_urls",
    "utm_sources",
  ]) {
    test(`${groupBy}: the CSV parsed back equals the JSON`, async () => {
      const [header, ...rows] = await exported(`${query}&groupBy=${groupBy}`);
      const response = await fetch(`${server.origin}/api/analytics?${query}&groupBy=${groupBy}`, {
        headers: { authorization: `Bearer ${server.key}` },
      });
      const json = (await response.json()) as Record<string, unknown> | Record<string, unknown>[];
      const items = Array.isArray(json) ? json : [json];
      assert.deepEqual(header, Object.keys(items[0] ?? {}).length > 0 ? Object.keys(items[0]) : header);
      assert.deepEqual(
        rows.map((row) => Object.fromEntries(header.map((column, i) => [column, row[i]]))),
        items.map((item) =>
          Object.fromEntries(
            header.map((column) => [column, item[column] === null ? "" : String(item[column])]),
          ),
        ),
      );
    });
  }

  test("a bad parameter is a 422 before any CSV", async () => {
    const response = fetch(`${server.origin}/api/analytics/export?groupBy=nope`, {
      headers: { authorization: `Bearer ${server.key}` },
    });
    await rejection(response, 422, { message: /^invalid_value: groupBy: / });
  });
});

test("bad parameters are a 422, and analytics.read is required", async () => {
  const response = fetch(`${server.origin}/api/analytics?interval=2w`, {
    headers: { authorization: `Bearer ${server.key}` },
  });
  await rejection(response, 422, { message: /^invalid_value: interval: / });
  const scoped = await server.newWorkspace(["links.read"]);
  await rejection(analytics({ groupBy: "count" }, server.sdk(scoped.key)), 403);
});

/** RFC 4180 records (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      record.push(field);
      field = "";
    } else if (char === "\r" && text[i + 1] === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      i++;
    } else field += char;
  }
  return records;
}
