import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  clickIdFor,
  countRows,
  customerRow,
  fixtureServer,
  linkCounters,
  linkWithClick,
  postRaw,
  sleep,
  unique,
} from "../helpers/journey.js";
import { rejection } from "../helpers/rejection.js";
import { startServer, type TestServer } from "../helpers/server.js";

/** ECB reference rates, units per euro. */
const ECB = { USD: 1.05, JPY: 157.5, GBP: 0.8325 };
const ECB_XML = `<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
  <gesmes:subject>Reference rates</gesmes:subject>
  <gesmes:Sender><gesmes:name>European Central Bank</gesmes:name></gesmes:Sender>
  <Cube>
    <Cube time='2026-11-24'>
      <Cube currency='USD' rate='1.0500'/>
      <Cube currency='JPY' rate='157.50'/>
      <Cube currency='GBP' rate='0.83250'/>
    </Cube>
  </Cube>
</gesmes:Envelope>`;

/** usd_cents = round(amount / 10^minorUnits / (rate_X / rate_USD) * 100), with rates per euro. */
const expectedUsdCents = (amount: number, minorUnits: number, ratePerEuro: number) =>
  Math.round((amount / 10 ** minorUnits / (ratePerEuro / ECB.USD)) * 100);

let fixture: Awaited<ReturnType<typeof fixtureServer>>;
let server: TestServer;
before(async () => {
  fixture = await fixtureServer(ECB_XML);
  server = await startServer({ TRUST_PROXY: "true", FX_RATES_URL: fixture.url });
});
after(async () => {
  await server.stop();
  await fixture.close();
});

type SaleRow = {
  id: string;
  customer_id: string;
  lead_event_id: string;
  link_id: string;
  click_id: string;
  event_name: string;
  amount: number;
  currency: string;
  converted: number;
  original_amount: number;
  original_currency: string;
  payment_processor: string;
  invoice_id: string | null;
  metadata: string | null;
};

const salesOf = (customerId: string) =>
  server.query<SaleRow>("select * from sale_events where customer_id = ? order by timestamp, id", customerId);

/** A customer with one lead on a fresh link. */
async function leadCustomer(eventName = "Sign up", target = server) {
  const { link, clickId } = await linkWithClick(target);
  const externalId = unique("cust");
  await target.sdk().track.lead({
    clickId,
    eventName,
    customerExternalId: externalId,
    customerName: "Sam",
    customerEmail: "sam@example.com",
  });
  const customer = await customerRow(target, externalId);
  assert.ok(customer);
  return { link, clickId, externalId, customer };
}

describe("POST /track/sale through dub.track.sale", () => {
  test("a known customer's sale is credited to the link of its latest lead, with counters on link and customer", async () => {
    const { link, externalId, customer } = await leadCustomer();
    const sale = await server.sdk().track.sale({
      customerExternalId: externalId,
      amount: 1000,
      paymentProcessor: "stripe",
      invoiceId: unique("inv"),
      metadata: { order: 42 },
    });
    assert.equal(sale.eventName, "Purchase");
    assert.deepEqual(sale.customer, {
      id: customer.id,
      externalId,
      name: "Sam",
      email: "sam@example.com",
      avatar: null,
    });
    assert.ok(sale.sale);
    assert.equal(sale.sale.amount, 1000);
    assert.equal(sale.sale.currency, "usd");
    assert.equal(sale.sale.paymentProcessor, "stripe");
    assert.deepEqual(sale.sale.metadata, { order: 42 });

    const rows = await salesOf(customer.id);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].link_id, link.id);
    assert.equal(rows[0].event_name, "Purchase");
    assert.deepEqual(JSON.parse(rows[0].metadata ?? "null"), { order: 42 });
    const lead = await server.one<{ id: string }>(
      "select id from lead_events where customer_id = ?",
      customer.id,
    );
    assert.equal(rows[0].lead_event_id, lead?.id);

    assert.deepEqual(await linkCounters(server, link.id), {
      clicks: 1,
      leads: 1,
      sales: 1,
      sale_amount: 1000,
      conversions: 1,
    });
    const after1 = await customerRow(server, externalId);
    assert.ok(after1);
    assert.equal(after1.sales, 1);
    assert.equal(after1.sale_amount, 1000);
    assert.equal(typeof after1.first_sale_at, "number");

    // A second sale of the same customer on the same link is no new conversion.
    await sleep(2);
    await server.sdk().track.sale({ customerExternalId: externalId, amount: 500, eventName: "Renewal" });
    assert.deepEqual(await linkCounters(server, link.id), {
      clicks: 1,
      leads: 1,
      sales: 2,
      sale_amount: 1500,
      conversions: 1,
    });
    const after2 = await customerRow(server, externalId);
    assert.ok(after2);
    assert.equal(after2.sales, 2);
    assert.equal(after2.sale_amount, 1500);
    assert.equal(after2.first_sale_at, after1.first_sale_at, "first_sale_at is kept");

    // Another customer converting on the same link is a new conversion.
    const clickId = await clickIdFor(server, link.key);
    const other = unique("cust");
    await server.sdk().track.lead({ clickId, eventName: "Sign up", customerExternalId: other });
    await server.sdk().track.sale({ customerExternalId: other, amount: 300 });
    assert.deepEqual(await linkCounters(server, link.id), {
      clicks: 2,
      leads: 2,
      sales: 3,
      sale_amount: 1800,
      conversions: 2,
    });
    const otherRow = await customerRow(server, other);
    assert.equal(otherRow?.sales, 1);
    assert.equal(otherRow?.sale_amount, 300);
  });

  test("leadEventName picks the named lead (exact match) when the customer has leads on two links", async () => {
    const first = await linkWithClick(server);
    const second = await linkWithClick(server);
    const externalId = unique("two");
    await server
      .sdk()
      .track.lead({ clickId: first.clickId, eventName: "Sign up", customerExternalId: externalId });
    await sleep(5); // lead timestamps are milliseconds; keep "latest" unambiguous
    await server
      .sdk()
      .track.lead({ clickId: second.clickId, eventName: "Trial", customerExternalId: externalId });
    const customer = await customerRow(server, externalId);
    assert.ok(customer);
    const leadId = async (name: string) =>
      (
        (await server.one<{ id: string }>(
          "select id from lead_events where customer_id = ? and event_name = ?",
          customer.id,
          name,
        )) as { id: string }
      ).id;

    await server.sdk().track.sale({ customerExternalId: externalId, amount: 700 });
    await server.sdk().track.sale({ customerExternalId: externalId, amount: 200, leadEventName: "Sign up" });
    const rows = await salesOf(customer.id);
    assert.deepEqual(
      rows.map((row) => [row.amount, row.link_id, row.lead_event_id]).sort(),
      [
        [200, first.link.id, await leadId("Sign up")],
        [700, second.link.id, await leadId("Trial")],
      ].sort(),
    );
    assert.deepEqual(await linkCounters(server, first.link.id), {
      clicks: 1,
      leads: 1,
      sales: 1,
      sale_amount: 200,
      conversions: 1,
    });
    assert.deepEqual(await linkCounters(server, second.link.id), {
      clicks: 1,
      leads: 1,
      sales: 1,
      sale_amount: 700,
      conversions: 1,
    });
    const stored = await customerRow(server, externalId);
    assert.equal(stored?.sales, 2);
    assert.equal(stored?.sale_amount, 900);

    for (const leadEventName of ["sign up", "Nope"]) {
      await rejection(
        server.sdk().track.sale({ customerExternalId: externalId, amount: 100, leadEventName }),
        404,
        { message: `Lead event not found for externalId: ${externalId} and leadEventName: ${leadEventName}` },
      );
    }
    assert.equal((await salesOf(customer.id)).length, 2);
  });

  test("an empty leadEventName names no lead: the latest lead is credited, a direct sale's lead gets the default name", async () => {
    const { link, externalId, customer } = await leadCustomer();
    const sale = await server
      .sdk()
      .track.sale({ customerExternalId: externalId, amount: 100, leadEventName: "" });
    assert.equal(sale.sale?.amount, 100);
    assert.equal((await salesOf(customer.id))[0].link_id, link.id);

    const direct = await linkWithClick(server);
    const directId = unique("direct");
    await server
      .sdk()
      .track.sale({ customerExternalId: directId, amount: 100, clickId: direct.clickId, leadEventName: "" });
    const directCustomer = await customerRow(server, directId);
    assert.ok(directCustomer);
    assert.deepEqual(
      await server.query("select event_name from lead_events where customer_id = ?", directCustomer.id),
      [{ event_name: "Direct sale tracking lead event" }],
    );
  });

  test("a known customer without any lead (deferred) is NotFound", async () => {
    const { clickId } = await linkWithClick(server);
    const externalId = unique("deferred");
    await server
      .sdk()
      .track.lead({ clickId, eventName: "Sign up", customerExternalId: externalId, mode: "deferred" });
    await rejection(server.sdk().track.sale({ customerExternalId: externalId, amount: 100 }), 404, {
      message: `Lead event not found for externalId: ${externalId} and leadEventName: null`,
    });
  });

  test("a direct sale (unknown customer with a clickId) creates the customer, a lead and the sale", async () => {
    const { link, clickId } = await linkWithClick(server);
    const externalId = unique("direct");
    const sale = await server.sdk().track.sale({
      customerExternalId: externalId,
      amount: 4200,
      clickId,
      customerName: "Dora",
      customerEmail: "dora@example.com",
      paymentProcessor: "paddle",
    });
    const customer = await customerRow(server, externalId);
    assert.ok(customer);
    assert.equal(customer.name, "Dora");
    assert.equal(customer.click_id, clickId);
    assert.equal(customer.link_id, link.id);
    assert.deepEqual(sale.customer, {
      id: customer.id,
      externalId,
      name: "Dora",
      email: "dora@example.com",
      avatar: null,
    });
    assert.equal(sale.sale?.amount, 4200);
    const leads = await server.query<{ id: string; event_name: string; click_id: string }>(
      "select id, event_name, click_id from lead_events where customer_id = ?",
      customer.id,
    );
    assert.equal(leads.length, 1);
    assert.equal(leads[0].event_name, "Direct sale tracking lead event");
    assert.equal(leads[0].click_id, clickId);
    const rows = await salesOf(customer.id);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].lead_event_id, leads[0].id);
    assert.equal(rows[0].payment_processor, "paddle");
    assert.deepEqual(await linkCounters(server, link.id), {
      clicks: 1,
      leads: 1,
      sales: 1,
      sale_amount: 4200,
      conversions: 1,
    });
    assert.equal(customer.sales, 1);
    assert.equal(customer.sale_amount, 4200);

    // With leadEventName, the created lead carries that name.
    const named = await linkWithClick(server);
    const namedId = unique("direct");
    await server.sdk().track.sale({
      customerExternalId: namedId,
      amount: 100,
      clickId: named.clickId,
      leadEventName: "Checkout",
    });
    const namedCustomer = await customerRow(server, namedId);
    assert.ok(namedCustomer);
    assert.deepEqual(
      await server.query("select event_name from lead_events where customer_id = ?", namedCustomer.id),
      [{ event_name: "Checkout" }],
    );
  });

  test("a direct sale with an unknown click is NotFound and creates nothing", async () => {
    const externalId = unique("direct");
    await rejection(
      server.sdk().track.sale({ customerExternalId: externalId, amount: 100, clickId: "noSuchClick00001" }),
      404,
      { message: "Click event not found for clickId: noSuchClick00001" },
    );
    assert.equal(await customerRow(server, externalId), undefined);
  });

  test("a deleted link credits nothing: NotFound for its customer's sale and for a direct sale from its click", async () => {
    const { link, externalId, customer, clickId } = await leadCustomer();
    const orphanClick = await clickIdFor(server, link.key);
    await server.sdk().links.delete(link.id);
    await rejection(server.sdk().track.sale({ customerExternalId: externalId, amount: 100 }), 404, {
      message: `Link not found for customer ${customer.id}`,
    });
    const directId = unique("direct");
    for (const id of [clickId, orphanClick]) {
      await rejection(
        server.sdk().track.sale({ customerExternalId: directId, amount: 100, clickId: id }),
        404,
        { message: `Link not found for clickId: ${id}` },
      );
    }
    assert.equal((await salesOf(customer.id)).length, 0);
    assert.equal(await customerRow(server, directId), undefined);
  });

  test("an unknown customer without clickId answers customer and sale null and records nothing", async () => {
    const externalId = unique("nobody");
    const before = await countRows(server, "select count(*) as n from sale_events");
    const sale = await server
      .sdk()
      .track.sale({ customerExternalId: externalId, amount: 1000, invoiceId: unique("inv") });
    assert.deepEqual(sale, { eventName: "Purchase", customer: null, sale: null });
    assert.equal(await customerRow(server, externalId), undefined);
    assert.equal(await countRows(server, "select count(*) as n from sale_events"), before);
  });

  test("amount 0 answers customer and sale null and records no sale", async () => {
    const { link, externalId, customer } = await leadCustomer();
    const sale = await server
      .sdk()
      .track.sale({ customerExternalId: externalId, amount: 0, eventName: "Free plan" });
    assert.deepEqual(sale, { eventName: "Free plan", customer: null, sale: null });
    assert.equal((await salesOf(customer.id)).length, 0);
    assert.deepEqual(await linkCounters(server, link.id), {
      clicks: 1,
      leads: 1,
      sales: 0,
      sale_amount: 0,
      conversions: 0,
    });
  });

  test("a negative amount is UnprocessableEntity", async () => {
    const { externalId } = await leadCustomer();
    await rejection(server.sdk().track.sale({ customerExternalId: externalId, amount: -5 }), 422, {
      message: /amount cannot be negative/,
    });
  });

  test("clickId and leadEventName over 255 characters are UnprocessableEntity and record nothing", async () => {
    // Found by the fuzz suite: both took any length (40,000 characters), and a direct sale stores leadEventName as
    // the name of the lead it creates.
    const { externalId, customer } = await leadCustomer();
    for (const fields of [{ clickId: "c".repeat(256) }, { leadEventName: "n".repeat(256) }]) {
      await rejection(
        server.sdk().track.sale({ customerExternalId: externalId, amount: 100, ...fields }),
        422,
        { message: new RegExp(Object.keys(fields)[0]) },
      );
    }
    assert.deepEqual(await salesOf(customer.id), []);
    // 255 characters still name a lead (there is none by that name).
    await rejection(
      server
        .sdk()
        .track.sale({ customerExternalId: externalId, amount: 100, leadEventName: "n".repeat(255) }),
      404,
    );
  });

  test("every payment processor the SDK knows is accepted and stored, lemonsqueezy included; custom is the default", async () => {
    const { externalId, customer } = await leadCustomer();
    const processors = [
      "stripe",
      "shopify",
      "polar",
      "paddle",
      "apple",
      "revenuecat",
      "lemonsqueezy",
      "dub",
      "custom",
    ] as const;
    for (const paymentProcessor of processors) {
      const sale = await server
        .sdk()
        .track.sale({ customerExternalId: externalId, amount: 100, paymentProcessor });
      assert.equal(sale.sale?.paymentProcessor, paymentProcessor);
    }
    const raw = await postRaw(
      server,
      "/track/sale",
      JSON.stringify({ customerExternalId: externalId, amount: 100 }),
    );
    assert.equal(raw.status, 200);
    assert.equal(JSON.parse(raw.text).sale.paymentProcessor, "custom");
    assert.deepEqual(
      (await salesOf(customer.id)).map((row) => row.payment_processor).sort(),
      [...processors, "custom"].sort(),
    );
    const unknown = await postRaw(
      server,
      "/track/sale",
      JSON.stringify({ customerExternalId: externalId, amount: 100, paymentProcessor: "venmo" }),
    );
    assert.equal(unknown.status, 422);
  });

  describe("currency conversion with the ECB feed", () => {
    test("JPY (zero-decimal) and EUR sales are converted to USD cents; the original is kept", async () => {
      const { link, externalId, customer } = await leadCustomer();
      const jpy = await server
        .sdk()
        .track.sale({ customerExternalId: externalId, amount: 1580, currency: "JPY" });
      const jpyCents = expectedUsdCents(1580, 0, ECB.JPY);
      assert.equal(jpyCents, 1053);
      assert.equal(jpy.sale?.amount, jpyCents);
      assert.equal(jpy.sale?.currency, "usd");

      const eur = await server
        .sdk()
        .track.sale({ customerExternalId: externalId, amount: 1000, currency: "eur" });
      const eurCents = expectedUsdCents(1000, 2, 1);
      assert.equal(eurCents, 1050);
      assert.equal(eur.sale?.amount, eurCents);
      assert.equal(eur.sale?.currency, "usd");

      const rows = await salesOf(customer.id);
      assert.deepEqual(
        rows
          .map((row) => [row.amount, row.currency, row.converted, row.original_amount, row.original_currency])
          .sort(),
        [
          [jpyCents, "usd", 1, 1580, "jpy"],
          [eurCents, "usd", 1, 1000, "eur"],
        ].sort(),
      );
      assert.deepEqual(await linkCounters(server, link.id), {
        clicks: 1,
        leads: 1,
        sales: 2,
        sale_amount: jpyCents + eurCents,
        conversions: 1,
      });
      assert.equal((await customerRow(server, externalId))?.sale_amount, jpyCents + eurCents);
    });

    test("an invalid currency code is UnprocessableEntity naming it", async () => {
      const { externalId, customer } = await leadCustomer();
      await rejection(
        server.sdk().track.sale({ customerExternalId: externalId, amount: 100, currency: "zzz" }),
        422,
        { message: /zzz/ },
      );
      assert.equal((await salesOf(customer.id)).length, 0);
    });

    test("a valid currency without a rate is recorded unconverted, counted in sales but not in saleAmount, and flagged in /metrics", async () => {
      const { link, externalId, customer } = await leadCustomer();
      const sale = await server
        .sdk()
        .track.sale({ customerExternalId: externalId, amount: 2500, currency: "chf" });
      assert.equal(sale.sale?.amount, 2500);
      assert.equal(sale.sale?.currency, "chf");
      const [row] = await salesOf(customer.id);
      assert.equal(row.currency, "chf");
      assert.equal(row.amount, 2500);
      assert.equal(row.converted, 0);
      assert.equal(row.original_amount, 2500);
      assert.equal(row.original_currency, "chf");
      assert.deepEqual(await linkCounters(server, link.id), {
        clicks: 1,
        leads: 1,
        sales: 1,
        sale_amount: 0,
        conversions: 1,
      });
      const stored = await customerRow(server, externalId);
      assert.equal(stored?.sales, 1);
      assert.equal(stored?.sale_amount, 0);

      const metrics = await (await fetch(`${server.origin}/metrics`)).text();
      assert.match(metrics, /^clicktrail_sales_unconverted_total\{currency="chf"\} 1$/m);
    });
  });

  describe("the receipt and the sale event keep what was sent", () => {
    const DUB_SALE_KEYS = ["amount", "currency", "invoiceId", "metadata", "paymentProcessor"];
    const sell = async (externalId: string, amount: number, currency: string, invoiceId?: string) => {
      const answer = await postRaw(
        server,
        "/track/sale",
        JSON.stringify({ customerExternalId: externalId, amount, currency, invoiceId }),
      );
      assert.equal(answer.status, 200, answer.text);
      return answer;
    };

    test("converted: USD cents and usd as Dub answers, plus originalAmount and originalCurrency", async () => {
      const { externalId } = await leadCustomer();
      const answer = await sell(externalId, 1000, "EUR");
      const { sale } = JSON.parse(answer.text);
      assert.deepEqual(
        Object.keys(sale).sort(),
        [...DUB_SALE_KEYS, "originalAmount", "originalCurrency"].sort(),
      );
      assert.equal(sale.amount, expectedUsdCents(1000, 2, 1));
      assert.equal(sale.currency, "usd");
      assert.equal(sale.originalAmount, 1000);
      assert.equal(sale.originalCurrency, "eur");
      // The SDK decodes it, ignoring the two keys it does not know.
      const viaSdk = await server
        .sdk()
        .track.sale({ customerExternalId: externalId, amount: 1580, currency: "jpy" });
      assert.equal(viaSdk.sale?.amount, expectedUsdCents(1580, 0, ECB.JPY));
      assert.equal(viaSdk.sale?.currency, "usd");
    });

    test("in USD, and without a rate, the receipt has exactly Dub's keys, in the currency sent", async () => {
      const { externalId } = await leadCustomer();
      const usd = JSON.parse((await sell(externalId, 700, "usd")).text).sale;
      assert.deepEqual(Object.keys(usd).sort(), DUB_SALE_KEYS);
      assert.deepEqual([usd.amount, usd.currency], [700, "usd"]);
      const chf = JSON.parse((await sell(externalId, 2500, "CHF")).text).sale;
      assert.deepEqual(Object.keys(chf).sort(), DUB_SALE_KEYS);
      assert.deepEqual([chf.amount, chf.currency], [2500, "chf"]);
    });

    test("a repeated invoiceId replays a converted receipt byte for byte, and a receipt stored before the originals as it was stored", async () => {
      const { externalId } = await leadCustomer();
      const invoiceId = unique("inv");
      const first = await sell(externalId, 1000, "gbp", invoiceId);
      assert.match(first.text, /"originalCurrency":"gbp"/);
      assert.equal((await sell(externalId, 5, "usd", invoiceId)).text, first.text);

      // A receipt written by an earlier version: Dub's keys only, the converted amount.
      const older = unique("inv");
      const stored = await sell(externalId, 2000, "gbp", older);
      const withoutOriginals = stored.text.replace(/,"originalAmount":\d+,"originalCurrency":"gbp"/, "");
      assert.notEqual(withoutOriginals, stored.text);
      const updated = await server.storage.db
        .updateTable("sale_invoices")
        .set({ receipt: withoutOriginals })
        .where("invoice_id", "=", older)
        .executeTakeFirst();
      assert.equal(Number(updated.numUpdatedRows), 1);
      assert.equal((await sell(externalId, 2000, "gbp", older)).text, withoutOriginals);
    });

    test("GET /events shows the sale in USD with the original beside it, and its customer without firstSaleAt", async () => {
      const { externalId, customer } = await leadCustomer();
      await sell(externalId, 1000, "eur");
      await sell(externalId, 2500, "chf");
      const events = await server
        .sdk()
        .events.list({ event: "sales", customerId: customer.id, interval: "24h" });
      const sales = await Promise.all(
        events.map(async (event) => {
          assert.ok("sale" in event);
          assert.equal("firstSaleAt" in event.customer, false);
          return event.sale;
        }),
      );
      const raw = await fetch(
        `${server.origin}/api/events?event=sales&interval=24h&customerId=${customer.id}`,
        { headers: { authorization: `Bearer ${server.key}` } },
      );
      const body = (await raw.json()) as {
        customer: Record<string, unknown>;
        sale: { amount: number; currency: string; originalAmount: number; originalCurrency: string };
      }[];
      assert.equal(sales.length, 2);
      assert.deepEqual(
        body
          .map(({ sale }) => [sale.amount, sale.currency, sale.originalAmount, sale.originalCurrency])
          .sort(),
        [
          [expectedUsdCents(1000, 2, 1), "usd", 1000, "eur"],
          [2500, "chf", 2500, "chf"],
        ].sort(),
      );
      for (const { customer: presented } of body) {
        assert.equal("firstSaleAt" in presented, false);
        assert.equal(typeof presented.createdAt, "string");
      }
    });
  });

  describe("invoiceId idempotency", () => {
    test("a repeated invoiceId answers the first response byte for byte and records nothing", async () => {
      const { link, externalId, customer } = await leadCustomer();
      const invoiceId = unique("inv");
      const first = await postRaw(
        server,
        "/track/sale",
        JSON.stringify({
          customerExternalId: externalId,
          amount: 2500,
          invoiceId,
          paymentProcessor: "stripe",
          metadata: { a: 1 },
        }),
      );
      assert.equal(first.status, 200);
      assert.match(first.contentType, /^application\/json/);
      const counters = await linkCounters(server, link.id);

      for (const body of [
        {
          customerExternalId: externalId,
          amount: 2500,
          invoiceId,
          paymentProcessor: "stripe",
          metadata: { a: 1 },
        },
        {
          customerExternalId: externalId,
          amount: 9999,
          invoiceId,
          paymentProcessor: "shopify",
          currency: "eur",
        },
      ]) {
        const again = await postRaw(server, "/track/sale", JSON.stringify(body));
        assert.equal(again.status, 200);
        assert.match(again.contentType, /^application\/json/);
        assert.equal(again.text, first.text);
      }
      // The SDK decodes the replay too.
      const sdkReplay = await server
        .sdk()
        .track.sale({ customerExternalId: externalId, amount: 1, invoiceId });
      assert.equal(sdkReplay.sale?.amount, 2500);

      assert.equal((await salesOf(customer.id)).length, 1);
      assert.deepEqual(await linkCounters(server, link.id), counters);
      assert.equal((await customerRow(server, externalId))?.sales, 1);
    });

    test("an empty invoiceId is no invoice: every such sale is recorded, none is replayed", async () => {
      const { link, externalId, customer } = await leadCustomer();
      const first = await server
        .sdk()
        .track.sale({ customerExternalId: externalId, amount: 100, invoiceId: "" });
      const second = await server
        .sdk()
        .track.sale({ customerExternalId: externalId, amount: 250, invoiceId: "" });
      const third = await postRaw(
        server,
        "/track/sale",
        JSON.stringify({ customerExternalId: externalId, amount: 400, invoiceId: "  " }),
      );
      assert.equal(first.sale?.amount, 100);
      assert.equal(second.sale?.amount, 250);
      assert.equal(JSON.parse(third.text).sale.amount, 400);
      assert.equal((await salesOf(customer.id)).length, 3);
      assert.equal((await linkCounters(server, link.id)).sale_amount, 750);
      assert.equal(
        await countRows(server, "select count(*) as n from sale_invoices where invoice_id = ''"),
        0,
      );
    });

    test("invoice ids are per workspace", async () => {
      const other = await server.newWorkspace();
      const invoiceId = unique("inv");
      const mine = await leadCustomer();
      await server.sdk().track.sale({ customerExternalId: mine.externalId, amount: 100, invoiceId });

      const { clickId } = await linkWithClick(server, other.key);
      const theirs = unique("cust");
      await server.sdk(other.key).track.lead({ clickId, eventName: "Sign up", customerExternalId: theirs });
      const sale = await server
        .sdk(other.key)
        .track.sale({ customerExternalId: theirs, amount: 200, invoiceId });
      assert.equal(sale.sale?.amount, 200);
      assert.equal(sale.customer?.externalId, theirs);
      assert.equal(
        await countRows(server, "select count(*) as n from sale_events where invoice_id = ?", invoiceId),
        2,
      );
    });

    test("50 concurrent identical sales with one invoiceId record exactly one sale and all answer the same", async () => {
      const { link, externalId, customer } = await leadCustomer();
      const body = JSON.stringify({
        customerExternalId: externalId,
        amount: 1234,
        invoiceId: unique("inv"),
        paymentProcessor: "stripe",
      });
      const responses = await Promise.all(
        Array.from({ length: 50 }, () => postRaw(server, "/track/sale", body)),
      );
      assert.deepEqual(new Set(responses.map((response) => response.status)), new Set([200]));
      assert.equal(new Set(responses.map((response) => response.text)).size, 1);
      assert.equal(JSON.parse(responses[0].text).sale.amount, 1234);
      assert.equal((await salesOf(customer.id)).length, 1);
      assert.deepEqual(await linkCounters(server, link.id), {
        clicks: 1,
        leads: 1,
        sales: 1,
        sale_amount: 1234,
        conversions: 1,
      });
      const stored = await customerRow(server, externalId);
      assert.equal(stored?.sales, 1);
      assert.equal(stored?.sale_amount, 1234);
    });

    test("50 concurrent identical direct sales create one customer, one lead and one sale", async () => {
      const { link, clickId } = await linkWithClick(server);
      const externalId = unique("direct");
      const body = JSON.stringify({
        customerExternalId: externalId,
        amount: 800,
        invoiceId: unique("inv"),
        clickId,
      });
      const responses = await Promise.all(
        Array.from({ length: 50 }, () => postRaw(server, "/track/sale", body)),
      );
      assert.deepEqual(new Set(responses.map((response) => response.status)), new Set([200]));
      assert.equal(new Set(responses.map((response) => response.text)).size, 1);
      assert.equal(
        await countRows(server, "select count(*) as n from customers where external_id = ?", externalId),
        1,
      );
      const customer = await customerRow(server, externalId);
      assert.ok(customer);
      assert.equal(
        await countRows(server, "select count(*) as n from lead_events where customer_id = ?", customer.id),
        1,
      );
      assert.equal((await salesOf(customer.id)).length, 1);
      assert.deepEqual(await linkCounters(server, link.id), {
        clicks: 1,
        leads: 1,
        sales: 1,
        sale_amount: 800,
        conversions: 1,
      });
    });
  });

  test("the README journey: link, visit, dub_id, lead, sale, and the link's counters through the SDK", async () => {
    const dub = server.sdk();
    const created = await dub.links.create({
      url: "https://example.com/pricing",
      key: unique("readme"),
      trackConversion: true,
    });
    const clickId = await clickIdFor(server, created.key);
    const externalId = unique("readme-user");
    const lead = await dub.track.lead({
      clickId,
      eventName: "Sign up",
      customerExternalId: externalId,
      customerName: "Reader",
    });
    assert.equal(lead.link?.id, created.id);
    const sale = await dub.track.sale({
      customerExternalId: externalId,
      amount: 4900,
      paymentProcessor: "stripe",
      invoiceId: unique("inv"),
    });
    assert.equal(sale.sale?.amount, 4900);

    const link = await dub.links.get({ domain: created.domain, key: created.key });
    assert.equal(link.clicks, 1);
    assert.equal(link.leads, 1);
    assert.equal(link.sales, 1);
    assert.equal(link.saleAmount, 4900);
  });
});

describe("currency conversion with FX_RATES_FILE", () => {
  let fileServer: TestServer;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "clicktrail-fx-"));
    const file = join(dir, "rates.json");
    writeFileSync(file, JSON.stringify({ base: "USD", rates: { EUR: 0.9 } }));
    fileServer = await startServer({ TRUST_PROXY: "true", FX_RATES_FILE: file });
  });
  after(async () => {
    await fileServer.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("a EUR sale is converted with the file's rate", async () => {
    const { link, externalId } = await leadCustomer("Sign up", fileServer);
    const sale = await fileServer
      .sdk()
      .track.sale({ customerExternalId: externalId, amount: 1000, currency: "eur" });
    const expected = Math.round((1000 / 100 / 0.9) * 100);
    assert.equal(expected, 1111);
    assert.equal(sale.sale?.amount, expected);
    assert.equal(sale.sale?.currency, "usd");
    assert.equal((await linkCounters(fileServer, link.id)).sale_amount, expected);
  });
});

describe("currency conversion with both FX_RATES_FILE and FX_RATES_URL", () => {
  test("the file's rate beats the feed's for the same currency; the feed still covers the rest", async () => {
    const dir = mkdtempSync(join(tmpdir(), "clicktrail-fx-"));
    const file = join(dir, "rates.json");
    writeFileSync(file, JSON.stringify({ base: "USD", rates: { EUR: 0.9 } }));
    const feed = await fixtureServer(ECB_XML);
    const target = await startServer({ TRUST_PROXY: "true", FX_RATES_FILE: file, FX_RATES_URL: feed.url });
    try {
      const { externalId } = await leadCustomer("Sign up", target);
      const eur = await target
        .sdk()
        .track.sale({ customerExternalId: externalId, amount: 1000, currency: "eur" });
      assert.equal(eur.sale?.amount, Math.round((1000 / 100 / 0.9) * 100));
      const jpy = await target
        .sdk()
        .track.sale({ customerExternalId: externalId, amount: 1580, currency: "jpy" });
      assert.equal(jpy.sale?.amount, expectedUsdCents(1580, 0, ECB.JPY));
    } finally {
      await target.stop();
      await feed.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("currency conversion with a multi-day ECB feed (eurofxref-hist-90d.xml)", () => {
  // The ECB's history files list the newest day first; the newest rates must win wherever they appear.
  const history = (days: [string, number, number][]) => `<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
  <gesmes:subject>Reference rates</gesmes:subject>
  <Cube>
${days.map(([time, usd, jpy]) => `    <Cube time="${time}"><Cube currency="USD" rate="${usd}"/><Cube currency="JPY" rate="${jpy}"/></Cube>`).join("\n")}
  </Cube>
</gesmes:Envelope>`;

  for (const [order, days] of [
    [
      "newest first",
      [
        ["2026-11-24", 1.05, 157.5],
        ["2026-11-23", 1.0, 160],
        ["2026-11-20", 1.2, 140],
      ],
    ],
    [
      "oldest first",
      [
        ["2026-11-20", 1.2, 140],
        ["2026-11-23", 1.0, 160],
        ["2026-11-24", 1.05, 157.5],
      ],
    ],
  ] as [string, [string, number, number][]][]) {
    test(`the latest day's rates are used (${order})`, async () => {
      const feed = await fixtureServer(history(days));
      const target = await startServer({ TRUST_PROXY: "true", FX_RATES_URL: feed.url });
      try {
        const { externalId } = await leadCustomer("Sign up", target);
        const sale = await target
          .sdk()
          .track.sale({ customerExternalId: externalId, amount: 1580, currency: "jpy" });
        assert.equal(sale.sale?.amount, expectedUsdCents(1580, 0, 157.5));
      } finally {
        await target.stop();
        await feed.close();
      }
    });
  }
});
