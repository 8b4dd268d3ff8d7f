// Refunds as events of their own, tied to their sale: Stripe's charge.refunded (cumulative amount_refunded) takes
// the money back from /analytics, the link and the customer while the sale stays listed; partial then full, events
// out of order or redelivered, a refund before its sale, a refund of a charge never seen, and erasure.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { apiJson, countRows, customerRow, linkCounters, linkWithClick, unique } from "../helpers/journey.js";
import { processed, sendStripe, stripeEvent } from "../helpers/processors.js";
import { startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
const SECRET = "whsec_refunds_Z9x8C7v6B5n4";

before(async () => {
  server = await startServer({ TRUST_PROXY: "true" });
  await apiJson(server.origin, server.key, "PUT", "/integrations/stripe", { secret: SECRET });
});
after(async () => {
  await server.stop();
});

async function stripe(type: string, object: Record<string, unknown>, previous?: Record<string, unknown>) {
  const id = unique("evt");
  const answer = await sendStripe(server, stripeEvent(id, type, object, previous), SECRET);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return processed(server, "stripe", id);
}

/** A paid checkout (payment mode) on a fresh link with a click: its link, customer and payment intent. */
async function paidCheckout(amount = 5000, currency = "usd", tax = 0) {
  const { link, clickId } = await linkWithClick(server);
  const paymentIntent = unique("pi");
  const stripeCustomer = unique("cus");
  const sale = await stripe("checkout.session.completed", {
    id: unique("cs_test"),
    object: "checkout.session",
    mode: "payment",
    status: "complete",
    payment_status: "paid",
    client_reference_id: `dub_id_${clickId}`,
    customer: stripeCustomer,
    customer_details: { email: "ana@example.com", name: "Ana" },
    currency,
    amount_total: amount,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: tax },
    invoice: null,
    payment_intent: paymentIntent,
  });
  assert.equal(sale.status, "sale");
  return {
    link,
    paymentIntent,
    stripeCustomer,
    customerId: sale.customerId as string,
    saleEventId: sale.saleEventId,
  };
}

const charge = (paymentIntent: string, amount: number, refunded: number, currency = "usd") => ({
  id: `ch_${paymentIntent.slice(3)}`,
  object: "charge",
  payment_intent: paymentIntent,
  customer: null,
  amount,
  amount_captured: amount,
  amount_refunded: refunded,
  refunded: refunded === amount,
  currency,
  disputed: false,
});

/** The link's totals as /analytics answers them, through the rollups and (customer filter) the raw events. */
async function analytics(linkId: string, customerId: string) {
  const viaRollups = await apiJson(
    server.origin,
    server.key,
    "GET",
    `/analytics?event=sales&groupBy=count&interval=30d&linkId=${linkId}`,
  );
  const viaEvents = await apiJson(
    server.origin,
    server.key,
    "GET",
    `/analytics?event=sales&groupBy=count&interval=24h&customerId=${customerId}`,
  );
  return { viaRollups, viaEvents };
}

describe("charge.refunded", () => {
  test("a partial, then the rest: net revenue everywhere, the sale still listed at its amount", async () => {
    const { link, paymentIntent, stripeCustomer, customerId, saleEventId } = await paidCheckout(5000);
    const partial = await stripe("charge.refunded", charge(paymentIntent, 5000, 1500), {
      amount_refunded: 0,
    });
    assert.equal(partial.status, "refund", JSON.stringify(partial));
    assert.equal(partial.saleEventId, saleEventId);
    assert.equal((await linkCounters(server, link.id)).sale_amount, 3500);
    assert.equal((await linkCounters(server, link.id)).sales, 1, "the sale still counts as a sale");
    assert.equal((await customerRow(server, stripeCustomer))?.sale_amount, 3500);
    for (const answer of Object.values(await analytics(link.id, customerId)))
      assert.deepEqual([answer.sales, answer.saleAmount], [1, 3500], JSON.stringify(answer));

    const full = await stripe("charge.refunded", charge(paymentIntent, 5000, 5000), {
      amount_refunded: 1500,
    });
    assert.equal(full.status, "refund");
    assert.equal((await linkCounters(server, link.id)).sale_amount, 0);
    assert.equal((await customerRow(server, stripeCustomer))?.sale_amount, 0);
    for (const answer of Object.values(await analytics(link.id, customerId)))
      assert.deepEqual([answer.sales, answer.saleAmount], [1, 0], JSON.stringify(answer));
    const events = await server.sdk().events.list({ event: "sales", linkId: link.id });
    assert.equal(events.length, 1);
    assert.equal((events[0] as { sale: { amount: number } }).sale.amount, 5000, "the sale as it was paid");
    const refunds = await server.query<{ original_amount: number; sale_event_id: string }>(
      "select original_amount, sale_event_id from refund_events where sale_event_id = ? order by timestamp",
      saleEventId,
    );
    assert.deepEqual(
      refunds.map((row) => Number(row.original_amount)),
      [1500, 3500],
    );
  });

  test("a taxed charge: a partial refund takes back the sale's share (net of tax), the rest exactly what is left", async () => {
    // amount_total 3509 = 2900 recorded as the sale + 609 tax; 1500 refunded of the charge is 1500 × 2900 / 3509
    // = 1239.67 of the sale, 1240 cents; the amount_refunded itself (1500) would take tax back too.
    const { link, paymentIntent, stripeCustomer, customerId } = await paidCheckout(3509, "usd", 609);
    assert.equal((await linkCounters(server, link.id)).sale_amount, 2900);
    const partial = await stripe("charge.refunded", charge(paymentIntent, 3509, 1500), {
      amount_refunded: 0,
    });
    assert.equal(partial.status, "refund", JSON.stringify(partial));
    assert.equal((await linkCounters(server, link.id)).sale_amount, 2900 - 1240);
    assert.equal((await customerRow(server, stripeCustomer))?.sale_amount, 2900 - 1240);
    for (const answer of Object.values(await analytics(link.id, customerId)))
      assert.deepEqual([answer.sales, answer.saleAmount], [1, 2900 - 1240], JSON.stringify(answer));

    const rest = await stripe("charge.refunded", charge(paymentIntent, 3509, 3509), {
      amount_refunded: 1500,
    });
    assert.equal(rest.status, "refund", JSON.stringify(rest));
    assert.equal(rest.reason, null, "the rest of the sale, not capped");
    assert.equal((await linkCounters(server, link.id)).sale_amount, 0);
    assert.equal((await customerRow(server, stripeCustomer))?.sale_amount, 0);
    for (const answer of Object.values(await analytics(link.id, customerId)))
      assert.deepEqual([answer.sales, answer.saleAmount], [1, 0], JSON.stringify(answer));
  });

  test("cumulative events out of order, and redelivered: the total refunded is taken back once", async () => {
    const { link, paymentIntent } = await paidCheckout(5000);
    const later = await stripe("charge.refunded", charge(paymentIntent, 5000, 4000), {
      amount_refunded: 1000,
    });
    assert.equal(later.status, "refund");
    const earlier = await stripe("charge.refunded", charge(paymentIntent, 5000, 1000), {
      amount_refunded: 0,
    });
    assert.equal(earlier.status, "ignored");
    assert.match(earlier.reason ?? "", /already taken off/);
    const body = stripeEvent(unique("evt"), "charge.refunded", charge(paymentIntent, 5000, 4000));
    await sendStripe(server, body, SECRET);
    await sendStripe(server, body, SECRET);
    assert.equal((await linkCounters(server, link.id)).sale_amount, 1000);
  });

  test("a refund before its sale is parked, then applied when the sale arrives", async () => {
    const { clickId, link } = await linkWithClick(server);
    const paymentIntent = unique("pi");
    const early = await stripe("charge.refunded", charge(paymentIntent, 2000, 500), { amount_refunded: 0 });
    assert.equal(early.status, "parked");
    await stripe("checkout.session.completed", {
      id: unique("cs_test"),
      object: "checkout.session",
      mode: "payment",
      payment_status: "paid",
      client_reference_id: `dub_id_${clickId}`,
      customer: unique("cus"),
      currency: "usd",
      amount_total: 2000,
      total_details: { amount_tax: 0 },
      invoice: null,
      payment_intent: paymentIntent,
    });
    const applied = await processed(server, "stripe", early.eventId);
    assert.equal(applied.status, "refund");
    assert.equal((await linkCounters(server, link.id)).sale_amount, 1500);
  });

  test("a refund of a charge Clicktrail never saw: answered 200, parked with why, nothing changed", async () => {
    const event = await stripe("charge.refunded", charge(unique("pi"), 900, 900));
    assert.equal(event.status, "parked");
    assert.match(event.reason ?? "", /no sale is recorded/);
  });

  test("a JPY refund is kept in whole yen, in the sale's currency", async () => {
    const { link, paymentIntent } = await paidCheckout(8000, "jpy");
    assert.equal(
      (await stripe("charge.refunded", charge(paymentIntent, 8000, 3000, "jpy"))).status,
      "refund",
    );
    const refund = await server.one<{ original_amount: number; original_currency: string }>(
      "select original_amount, original_currency from refund_events where link_id = ?",
      link.id,
    );
    assert.deepEqual([Number(refund?.original_amount), refund?.original_currency], [3000, "jpy"]);
  });

  test("a three-decimal KWD refund of a taxed charge: thousandths throughout, the sale's share, then exactly zero", async () => {
    // 12.340 KWD = 10.000 sale + 2.340 tax; 5.000 refunded is 5000 × 10000 / 12340 = 4051.86 → 4.052 of the sale
    const { link, paymentIntent, stripeCustomer } = await paidCheckout(12340, "kwd", 2340);
    const sale = await server.one<{ original_amount: number; original_currency: string }>(
      "select original_amount, original_currency from sale_events where link_id = ?",
      link.id,
    );
    assert.deepEqual([Number(sale?.original_amount), sale?.original_currency], [10000, "kwd"]);
    assert.equal(
      (await stripe("charge.refunded", charge(paymentIntent, 12340, 5000, "kwd"))).status,
      "refund",
    );
    const refunds = async () =>
      (
        await server.query<{ original_amount: number }>(
          "select original_amount from refund_events where link_id = ? order by timestamp, original_amount desc",
          link.id,
        )
      ).map((row) => Number(row.original_amount));
    assert.deepEqual(await refunds(), [4052]);
    const rest = await stripe("charge.refunded", charge(paymentIntent, 12340, 12340, "kwd"), {
      amount_refunded: 5000,
    });
    assert.equal(rest.status, "refund", JSON.stringify(rest));
    assert.deepEqual((await refunds()).sort(), [4052, 5948]);
    assert.equal((await linkCounters(server, link.id)).sale_amount, 0);
    assert.equal((await customerRow(server, stripeCustomer))?.sale_amount, 0);
  });

  test("erasing the customer takes its refunds with its sales: the link is back to nothing", async () => {
    const { link, paymentIntent, customerId } = await paidCheckout(5000);
    await stripe("charge.refunded", charge(paymentIntent, 5000, 2000));
    await apiJson(server.origin, server.key, "DELETE", `/customers/${customerId}`);
    assert.deepEqual(await linkCounters(server, link.id), {
      clicks: 1,
      leads: 0,
      sales: 0,
      sale_amount: 0,
      conversions: 0,
    });
    const { viaRollups } = await analytics(link.id, customerId);
    assert.deepEqual([viaRollups.sales, viaRollups.saleAmount], [0, 0]);
    assert.equal(
      await countRows(server, "select count(*) as n from refund_events where customer_id = ?", customerId),
      0,
    );
  });
});
