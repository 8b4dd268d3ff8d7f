import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Dub } from "dub";
import { apiCall, clickIdFor } from "../helpers/journey.js";
import { rejection } from "../helpers/rejection.js";
import { startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
let dub: Dub;

/** Each sale's metadata; the amounts (cents) are distinct, so a sale is known by its amount. */
const SALES: [key: string, cents: number, metadata: Record<string, unknown>][] = [
  ["mq-a", 1000, { productId: "pro", qty: 3, flags: { beta: true } }],
  ["mq-b", 2000, { productId: `it's "quoted"`, qty: 10 }],
  ["mq-c", 3000, { productId: "naïve 商品 🚀", qty: 1.5 }],
  ["mq-c", 4000, { productId: "x' OR '1'='1" }],
  ["mq-c", 5000, { productId: "spice", note: "salt AND pepper" }],
];

before(async () => {
  server = await startServer({ TRUST_PROXY: "true" });
  dub = server.sdk();
  const urls: Record<string, string> = {
    "mq-a": "https://example.com/shop?ref=1",
    "mq-b": "https://example.com/shop?ref=2#top",
    "mq-c": "https://example.com/other",
  };
  for (const [key, url] of Object.entries(urls)) await dub.links.create({ url, key, trackConversion: true });
  for (const [index, [key, cents, metadata]] of SALES.entries()) {
    const clickId = await clickIdFor(server, key);
    const customerExternalId = `mq-buyer-${index}`;
    await dub.track.lead({
      clickId,
      eventName: "Sign up",
      customerExternalId,
      metadata: { plan: index === 0 ? "trial" : "paid" },
    });
    await dub.track.sale({ customerExternalId, amount: cents, currency: "usd", metadata });
  }
  await clickIdFor(server, "mq-a");
});
after(() => server.stop());

/** The amounts of the sales GET /events lists for `query`, through the SDK. */
async function saleAmounts(query: string): Promise<number[]> {
  const events = await dub.events.list({ event: "sales", interval: "all", query });
  return events.map((event) => ("saleAmount" in event ? event.saleAmount : -1)).sort((a, b) => a - b);
}

describe("the metadata query on GET /events", () => {
  const cases: [string, number[]][] = [
    ["metadata['productId']:pro", [1000]],
    ["metadata['productId'] = 'pro'", [1000]],
    [`metadata['productId']:"it's \\"quoted\\""`, [2000]],
    [`metadata["productId"]:'it\\'s "quoted"'`, [2000]],
    ["metadata['productId']:'naïve 商品 🚀'", [3000]],
    ["metadata['productId']:'x\\' OR \\'1\\'=\\'1'", [4000]],
    ["metadata['note']:'salt AND pepper'", [5000]],
    ["metadata['flags']['beta']:true", [1000]],
    ["metadata['qty']:3", [1000]],
    ["metadata['qty']:1.5", [3000]],
    ["metadata['qty']>2", [1000, 2000]],
    ["metadata['qty']>=10", [2000]],
    ["metadata['qty']<=1.5", [3000]],
    ["metadata['productId']!=pro", [2000, 3000, 4000, 5000]],
    ["metadata['productId']:pro OR metadata['qty']:10", [1000, 2000]],
    ["metadata['productId']:pro and metadata['qty']:10", []],
    ["metadata['productId']:pro AND metadata['qty']>1", [1000]],
    ["metadata['missing']:pro", []],
    ["metadata['productId']:PRO", []],
    ["   ", [1000, 2000, 3000, 4000, 5000]],
  ];
  for (const [query, amounts] of cases)
    test(`${JSON.stringify(query)} lists ${JSON.stringify(amounts)}`, async () => {
      assert.deepEqual(await saleAmounts(query), amounts);
    });

  test("leads match on their own metadata; clicks have none, so none matches", async () => {
    const leads = await dub.events.list({ event: "leads", interval: "all", query: "metadata['plan']:trial" });
    assert.equal(leads.length, 1);
    const clicks = await dub.events.list({
      event: "clicks",
      interval: "all",
      query: "metadata['plan']:trial",
    });
    assert.deepEqual(clicks, []);
  });

  test("the CSV export takes the same filter", async () => {
    const answer = await fetch(
      `${server.origin}/api/events/export?event=sales&interval=all&query=${encodeURIComponent("metadata['qty']>2")}`,
      { headers: { authorization: `Bearer ${server.key}` } },
    );
    assert.equal(answer.status, 200);
    assert.equal((await answer.text()).trim().split("\n").length, 3);
  });
});

describe("the metadata query on GET /analytics", () => {
  test("counts only the matching conversions, on every grouping", async () => {
    const count = await dub.analytics.retrieve({
      event: "sales",
      interval: "all",
      query: "metadata['qty']>2",
    });
    assert.deepEqual(count, { clicks: 0, leads: 0, sales: 2, saleAmount: 3000 });
    const composite = await dub.analytics.retrieve({
      event: "composite",
      interval: "all",
      query: "metadata['plan']:trial",
    });
    assert.deepEqual(composite, { clicks: 0, leads: 1, sales: 0, saleAmount: 0 });
    const byLink = (await dub.analytics.retrieve({
      event: "sales",
      groupBy: "top_links",
      interval: "all",
      query: "metadata['productId']!=pro",
    })) as { key: string; sales: number; saleAmount: number }[];
    assert.deepEqual(
      byLink.map(({ key, sales, saleAmount }) => [key, sales, saleAmount]),
      [
        ["mq-c", 3, 12000],
        ["mq-b", 1, 2000],
      ],
    );
    const timeseries = (await dub.analytics.retrieve({
      event: "sales",
      groupBy: "timeseries",
      interval: "24h",
      query: "metadata['productId']:'naïve 商品 🚀'",
    })) as { saleAmount: number }[];
    assert.equal(
      timeseries.reduce((sum, bucket) => sum + bucket.saleAmount, 0),
      3000,
    );
  });
});

describe("a query Clicktrail cannot read is Dub's 422", () => {
  const bad: [string, RegExp][] = [
    ["metadata['productId']:pro AND metadata['qty']:3 OR metadata['qty']:10", /either AND or OR/],
    ["country:US", /country is an unsupported search field/],
    ["metadata['product id']:pro", /Invalid metadata key/],
    ["metadata['productId; drop table sale_events; --']:x", /Invalid metadata key/],
    ["metadata['productId']:'1' OR 1=1 --", /unsupported search field|expected metadata/],
    ["metadata[productId]:pro", /quoted/],
    ["metadata['productId']:'pro", /never closed/],
    ["metadata['productId'] pro", /expected an operator/],
    ["metadata['productId']:", /has no value/],
    ["metadata['qty']>three", /compares numbers/],
    ["metadata['productId']:'pro' junk", /joined by AND or by OR/],
    [Array.from({ length: 11 }, (_, i) => `metadata['k${i}']:v`).join(" OR "), /Max: 10/],
  ];
  for (const [query, message] of bad)
    test(JSON.stringify(query), async () => {
      await rejection(dub.events.list({ event: "sales", query }), 422, { message });
      await rejection(dub.analytics.retrieve({ event: "sales", query }), 422, { message });
    });

  test("after every attempt the sales are all still there", async () => {
    const { status, body } = await apiCall(
      server.origin,
      server.key,
      "GET",
      "/events?event=sales&interval=all",
    );
    assert.equal(status, 200);
    assert.equal(body.length, SALES.length);
  });
});

describe("groupBy=top_base_urls", () => {
  test("sums the destination URLs without their query string or fragment", async () => {
    const rows = await dub.analytics.retrieve({
      event: "composite",
      groupBy: "top_base_urls",
      interval: "all",
    });
    assert.deepEqual(rows, [
      { url: "https://example.com/other", clicks: 3, leads: 3, sales: 3, saleAmount: 12000 },
      { url: "https://example.com/shop", clicks: 3, leads: 2, sales: 2, saleAmount: 3000 },
    ]);
    const bySales = await dub.analytics.retrieve({
      event: "sales",
      groupBy: "top_base_urls",
      interval: "all",
    });
    assert.deepEqual(bySales, [
      { url: "https://example.com/other", clicks: 0, leads: 0, sales: 3, saleAmount: 12000 },
      { url: "https://example.com/shop", clicks: 0, leads: 0, sales: 2, saleAmount: 3000 },
    ]);
  });

  test("exports as CSV with the url column, and with the metadata query", async () => {
    const csv = async (params: string) => {
      const answer = await fetch(`${server.origin}/api/analytics/export?${params}`, {
        headers: { authorization: `Bearer ${server.key}` },
      });
      assert.equal(answer.status, 200);
      return (await answer.text()).trim().split(/\r?\n/);
    };
    assert.deepEqual(await csv("event=sales&groupBy=top_base_urls&interval=all"), [
      "url,clicks,leads,sales,saleAmount",
      "https://example.com/other,0,0,3,12000",
      "https://example.com/shop,0,0,2,3000",
    ]);
    const query = encodeURIComponent("metadata['qty']>=3");
    assert.deepEqual(await csv(`event=sales&groupBy=top_base_urls&interval=all&query=${query}`), [
      "url,clicks,leads,sales,saleAmount",
      "https://example.com/shop,0,0,2,3000",
    ]);
  });

  test("takes filters as the other groupings do", async () => {
    const rows = await dub.analytics.retrieve({
      event: "clicks",
      groupBy: "top_base_urls",
      interval: "all",
      key: "mq-b",
      domain: server.host,
    });
    assert.deepEqual(rows, [
      { url: "https://example.com/shop", clicks: 1, leads: 0, sales: 0, saleAmount: 0 },
    ]);
  });
});
