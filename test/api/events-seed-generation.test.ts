// GET /events for both SDK generations (ADR 16): dub-go ≤ 0.13 decodes the list strictly and gets the body its
// v0.9.7 models know, key for key; the dub npm SDK and every other client get today's body, whose required keys
// the old Go SDK would reject. Also the seed's other strict decode (the analytics count) and the customer id
// its track receipts carry.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Dub } from "dub";
import type { ClickEvent, LeadEvent, SaleEvent } from "dub/models/operations";
import { clickIdFor, customerRow, postRaw, rawRequest, unique } from "../helpers/journey.js";
import {
  assertKeyForKey,
  decodeAs,
  decodeSeedEventList,
  SEED_ANALYTICS,
  SEED_EVENTS,
} from "../helpers/seed-go-decoder.js";
import { startServer, type TestServer } from "../helpers/server.js";

const SEED_UA = "speakeasy-sdk/go 0.9.7 2.428.1 0.0.1 github.com/dubinc/dub-go";
const METADATA = { plan: "pro" };

// biome-ignore lint/suspicious/noExplicitAny: raw JSON answers, checked against the models
type Json = any;

let server: TestServer;
let dub: Dub;
const shop = {} as { linkId: string; clicks: string[]; ann: string; seedCustomer: string; seedLead: Json };

before(async () => {
  server = await startServer({ TRUST_PROXY: "true" });
  dub = server.sdk();
  const link = await dub.links.create({
    url: "https://shop.example/seed",
    key: unique("seed"),
    trackConversion: true,
  });
  shop.linkId = link.id;
  shop.clicks = [
    await clickIdFor(server, link.key, { country: "DE", referer: "https://www.google.com/search?q=shop" }),
    await clickIdFor(server, link.key, { country: "US", qr: true }),
  ];
  shop.ann = unique("ann");
  shop.seedCustomer = unique("seed-customer");
  await dub.track.lead({
    clickId: shop.clicks[0],
    eventName: "Sign up",
    customerExternalId: shop.ann,
    customerEmail: "ann@example.com",
    metadata: METADATA,
  });
  // The seed SDK's own request bodies, as it sends them.
  const lead = await seedPost(
    "/track/lead",
    `{"clickId":"${shop.clicks[1]}","customerAvatar":null,"customerEmail":null,"customerId":"${shop.seedCustomer}","customerName":null,"eventName":"Sign up"}`,
  );
  shop.seedLead = JSON.parse(lead.text);
  await seedPost(
    "/track/sale",
    `{"amount":996500,"currency":"usd","customerId":"${shop.seedCustomer}","eventName":"Purchase","invoiceId":null,"paymentProcessor":"shopify"}`,
  );
  await dub.track.sale({ customerExternalId: shop.ann, amount: 5000 });
  await dub.track.sale({
    customerExternalId: shop.ann,
    amount: 700,
    paymentProcessor: "stripe",
    invoiceId: unique("in"),
  });
});
after(async () => server?.stop());

async function seedPost(path: string, body: string) {
  const answer = await rawRequest(`${server.origin}/api${path}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${server.key}`,
      accept: "application/json",
      "content-type": "application/json",
      "user-agent": SEED_UA,
    },
    body,
  });
  assert.equal(answer.status, 200, answer.text);
  return answer;
}

/** A GET as a client with this User-Agent (none when undefined) sends it: status, headers and the parsed body. */
async function getAs(userAgent: string | undefined, path: string) {
  const headers: Record<string, string> = {
    authorization: `Bearer ${server.key}`,
    accept: "application/json",
  };
  if (userAgent !== undefined) headers["user-agent"] = userAgent;
  const answer = await rawRequest(`${server.origin}/api${path}`, { method: "GET", headers });
  assert.equal(answer.status, 200, answer.text);
  // The seed SDK's success test: exactly 200 and the application/json media type.
  assert.equal(String(answer.headers["content-type"]).split(";")[0].trim(), "application/json");
  return { headers: answer.headers, body: JSON.parse(answer.text) as Json };
}

const seedEvents = async (kind: string, linkId = shop.linkId) =>
  (await getAs(SEED_UA, `/events?event=${kind}&linkId=${linkId}`)).body as Json[];

describe("Events.List in the seed Go SDK", () => {
  test("clicks decode as ClickEvent[], with exactly the keys of its models and today's values", async () => {
    const events = await seedEvents("clicks");
    assert.equal(decodeSeedEventList(events), "ClickEvent");
    assertKeyForKey(events, { array: SEED_EVENTS.ClickEvent });
    assert.equal(events.length, 2);

    const today = (await dub.events.list({ event: "clicks", linkId: shop.linkId })) as ClickEvent[];
    for (const event of events) {
      const same = today.find((other) => other.click.id === event.click.id);
      assert.ok(same, event.click.id);
      assert.equal(event.timestamp, same.timestamp);
      assert.equal(event.link.id, shop.linkId);
      assert.equal(event.click.country, same.click.country);
      assert.equal(event.click.referer, same.click.referer);
      assert.equal(event.click.qr, same.click.qr);
      assert.equal(event.qr, same.qr);
    }
    const qr = events.find((event) => event.click.id === shop.clicks[1]);
    assert.equal(qr.click.qr, true);
    assert.equal(qr.qr, 1);
  });

  test("leads decode as LeadEvent[]: the customer has its four keys and there is no metadata", async () => {
    const events = await seedEvents("leads");
    assert.equal(decodeSeedEventList(events), "LeadEvent");
    assertKeyForKey(events, { array: SEED_EVENTS.LeadEvent });
    assert.equal(events.length, 2);
    const ann = await customerRow(server, shop.ann);
    const lead = events.find((event) => event.customer.id === ann?.id);
    assert.ok(lead);
    assert.equal(lead.customer.email, "ann@example.com");
    assert.equal(lead.click.id, shop.clicks[0]);
    assert.equal(lead.eventName, "Sign up");
    assert.equal("metadata" in lead, false);
  });

  test("sales decode as SaleEvent[]; a processor outside its enum leaves sale.paymentProcessor out", async () => {
    const events = await seedEvents("sales");
    assert.equal(decodeSeedEventList(events), "SaleEvent");
    assertKeyForKey(events, { array: SEED_EVENTS.SaleEvent });
    assert.equal(events.length, 3);
    const byAmount = (amount: number) => events.find((event) => event.sale.amount === amount);
    assert.equal(byAmount(996500).sale.paymentProcessor, "shopify");
    assert.equal(byAmount(700).sale.paymentProcessor, "stripe");
    // Today's SDK defaults to "custom", which the seed's enum refuses; the flat field is a free string.
    assert.equal("paymentProcessor" in byAmount(5000).sale, false);
    assert.equal(byAmount(5000).payment_processor, "custom");
    assert.equal(byAmount(5000).saleAmount, 5000);
  });

  test("today's bodies are what the seed SDK cannot decode (the defect this shape fixes)", async () => {
    for (const kind of ["clicks", "leads", "sales"]) {
      const { body } = await getAs(undefined, `/events?event=${kind}&linkId=${shop.linkId}`);
      assert.equal(body.length > 0, true);
      assert.throws(
        () => decodeSeedEventList(body),
        /unknown key "(timestamp|region|ua|trigger|metadata)"/,
        kind,
      );
    }
  });

  test("an empty list decodes too", async () => {
    const events = await seedEvents("clicks", "link_that_does_not_exist");
    assert.deepEqual(events, []);
    assert.equal(decodeSeedEventList(events), "ClickEvent");
  });
});

describe("Events.List for every other client", () => {
  test("the dub npm SDK decodes all three kinds with the keys it requires", async () => {
    const clicks = (await dub.events.list({ event: "clicks", linkId: shop.linkId })) as ClickEvent[];
    assert.equal(clicks.length, 2);
    for (const event of clicks) {
      assert.equal(typeof event.click.timestamp, "string");
      assert.equal(typeof event.click.region, "string");
    }
    const leads = (await dub.events.list({ event: "leads", linkId: shop.linkId })) as LeadEvent[];
    assert.equal(leads.length, 2);
    const annLead = leads.find((event) => event.customer.externalId === shop.ann);
    assert.deepEqual(annLead?.metadata, METADATA);
    for (const event of leads) assert.equal(typeof event.customer.createdAt, "string");
    const sales = (await dub.events.list({ event: "sales", linkId: shop.linkId })) as SaleEvent[];
    assert.equal(sales.length, 3);
    assert.equal(sales.find((event) => event.sale.amount === 5000)?.sale.paymentProcessor, "custom");
    for (const event of sales) {
      assert.equal(typeof event.click.timestamp, "string");
      assert.equal(typeof event.customer.externalId, "string");
    }
  });

  test("no User-Agent, a browser's, and dub-go from 0.14 on get today's body; dub-go 0.13 the seed's", async () => {
    const cases: [string | undefined, "seed" | "current"][] = [
      [undefined, "current"],
      ["Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0", "current"],
      ["speakeasy-sdk/go 0.23.11 2.915.0 0.0.1 github.com/dubinc/dub-go", "current"],
      ["speakeasy-sdk/go 0.14.0 2.500.0 0.0.1 github.com/dubinc/dub-go", "current"],
      ["speakeasy-sdk/go 0.13.5 2.493.4 0.0.1 github.com/dubinc/dub-go", "seed"],
      ["speakeasy-sdk/go 0.9.4 2.422.6 0.0.1 github.com/dubinc/dub-go", "seed"],
    ];
    for (const [userAgent, generation] of cases) {
      const { headers, body } = await getAs(userAgent, `/events?event=leads&linkId=${shop.linkId}`);
      assert.match(String(headers.vary), /User-Agent/i);
      assert.equal("timestamp" in body[0].click, generation === "current", String(userAgent));
      assert.equal("externalId" in body[0].customer, generation === "current", String(userAgent));
    }
  });

  test("the CSV export keeps today's columns whoever asks", async () => {
    const answer = await rawRequest(
      `${server.origin}/api/events/export?event=leads&linkId=${shop.linkId}&columns=click.region,customer.externalId`,
      {
        method: "GET",
        headers: { authorization: `Bearer ${server.key}`, "user-agent": SEED_UA },
      },
    );
    assert.equal(answer.status, 200, answer.text);
    const [header, ...rows] = answer.text.trim().split("\r\n");
    assert.equal(header, "click.region,customer.externalId");
    assert.equal(rows.length, 2);
    assert.ok(rows.some((row) => row.endsWith(`,${shop.ann}`)));
  });
});

describe("the seed's other strict decode and its track receipts", () => {
  test("the analytics count decodes as AnalyticsCount, and every grouping as timeseries items", async () => {
    for (const event of ["clicks", "leads", "sales", "composite"]) {
      const { body } = await getAs(SEED_UA, `/analytics?event=${event}&groupBy=count&linkId=${shop.linkId}`);
      decodeAs(body, SEED_ANALYTICS.AnalyticsCount);
    }
    const { body: count } = await getAs(
      SEED_UA,
      `/analytics?event=composite&groupBy=count&linkId=${shop.linkId}`,
    );
    assert.deepEqual(count, { clicks: 2, leads: 2, sales: 3, saleAmount: 996500 + 5000 + 700 });
    for (const groupBy of ["timeseries", "countries", "devices", "top_links", "top_urls", "referers"]) {
      const { body } = await getAs(SEED_UA, `/analytics?event=composite&groupBy=${groupBy}`);
      assert.ok(Array.isArray(body), groupBy);
      decodeAs(body, { array: SEED_ANALYTICS.AnalyticsTimeseries }, groupBy);
    }
  });

  test("a seed lead receipt names the customer by Clicktrail's id, the same id its events list shows", async () => {
    const stored = await customerRow(server, shop.seedCustomer);
    assert.ok(stored);
    assert.equal(shop.seedLead.customer.id, stored.id);
    assert.match(shop.seedLead.customer.id, /^cus_/);
    const leads = await seedEvents("leads");
    assert.ok(leads.some((event) => event.customer.id === shop.seedLead.customer.id));
    // Only the seed's receipt names the customer by id (dub-go dropped it at 0.11.1); today's has Dub's four keys.
    const other = await dub.links.create({ url: "https://shop.example/other", trackConversion: true });
    const clickId = await clickIdFor(server, other.key);
    const external = unique("either");
    const plain = await postRaw(
      server,
      "/track/lead",
      JSON.stringify({ clickId, eventName: "Trial", customerExternalId: external }),
    );
    const seed = await seedPost(
      "/track/lead",
      JSON.stringify({ clickId, eventName: "Sign up", customerId: external }),
    );
    const keys = (text: string) => {
      const body = JSON.parse(text);
      return [Object.keys(body).sort(), Object.keys(body.customer).sort()];
    };
    assert.deepEqual(keys(plain.text), [
      ["click", "customer", "link"],
      ["avatar", "email", "externalId", "name"],
    ]);
    assert.deepEqual(keys(seed.text), [
      ["click", "customer", "link"],
      ["avatar", "email", "externalId", "id", "name"],
    ]);
    assert.equal(JSON.parse(seed.text).customer.id, (await customerRow(server, external))?.id);
  });
});
