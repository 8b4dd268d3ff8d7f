// Paddle Billing's notifications, shaped as Paddle documents them (transaction and adjustment entities, amounts as
// strings in the lowest denomination) and signed by its documented scheme (`ts=…;h1=…`, HMAC-SHA256 of
// "<ts>:<raw body>"), POSTed to a real server: a checkout with the click id in custom_data → lead + sale, renewals,
// redeliveries and track.sale with the same transaction id, signatures refused (unsigned, wrong, expired) or taken
// during a rotation (several h1), refunds once approved (partial, full, before their sale, of a transaction never
// seen) reflected on the link, the customer and /analytics.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { apiJson, countRows, customerRow, linkCounters, linkWithClick, unique } from "../helpers/journey.js";
import {
  deliver,
  integrationEvents,
  paddleEvent,
  paddleSignature,
  post,
  processed,
  sendPaddle,
} from "../helpers/processors.js";
import { rejection } from "../helpers/rejection.js";
import { startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
const SECRET = "pdl_ntfset_01jq8x0000aaaabbbbccccdddd_7f3kQ9zLmP2wX8vR4tYc6nB1";

before(async () => {
  server = await startServer({ TRUST_PROXY: "true" });
  await apiJson(server.origin, server.key, "PUT", "/integrations/paddle", { secret: SECRET });
});
after(async () => {
  await server.stop();
});

type Money = { subtotal: string; tax: string; currency?: string };

/** A completed transaction entity as `transaction.completed` carries it. */
function transaction(
  custom: Record<string, unknown> | null,
  money: Money,
  fields: Record<string, unknown> = {},
) {
  const currency = money.currency ?? "USD";
  const total = String(Number(money.subtotal) + Number(money.tax));
  return {
    id: unique("txn_01jq"),
    status: "completed",
    customer_id: unique("ctm_01jq"),
    address_id: "add_01jq8x0b2c",
    business_id: null,
    custom_data: custom,
    origin: "web",
    collection_mode: "automatic",
    subscription_id: null,
    invoice_id: unique("inv_01jq"),
    invoice_number: "325-10042",
    billing_details: null,
    billing_period: null,
    currency_code: currency,
    discount_id: null,
    created_at: "2026-03-02T10:14:50.000Z",
    updated_at: "2026-03-02T10:15:04.000Z",
    billed_at: "2026-03-02T10:15:01.000Z",
    items: [{ price: { id: "pri_01jpro", product_id: "pro_01jpro" }, quantity: 1 }],
    details: {
      tax_rates_used: [
        { tax_rate: "0.2", totals: { subtotal: money.subtotal, discount: "0", tax: money.tax, total } },
      ],
      totals: {
        subtotal: money.subtotal,
        discount: "0",
        tax: money.tax,
        total,
        credit: "0",
        credit_to_balance: "0",
        balance: "0",
        grand_total: total,
        fee: "195",
        earnings: "2705",
        currency_code: currency,
      },
      line_items: [
        {
          id: "txnitm_01jq",
          price_id: "pri_01jpro",
          quantity: 1,
          totals: { subtotal: money.subtotal, discount: "0", tax: money.tax, total },
          product: { id: "pro_01jpro", name: "Pro" },
        },
      ],
    },
    payments: [{ amount: total, status: "captured", captured_at: "2026-03-02T10:15:03Z" }],
    checkout: { url: "https://example.com/pay?_ptxn=txn" },
    ...fields,
  };
}

/** A refund adjustment of `txn` for `subtotal` (+ tax), in `status`. */
function refund(
  txn: { id: string; customer_id: string; currency_code: string },
  subtotal: string,
  status: "pending_approval" | "approved" | "rejected",
  fields: Record<string, unknown> = {},
) {
  return {
    id: unique("adj_01jq"),
    action: "refund",
    type: "partial",
    transaction_id: txn.id,
    subscription_id: null,
    customer_id: txn.customer_id,
    reason: "service outage",
    credit_applied_to_balance: null,
    currency_code: txn.currency_code,
    status,
    items: [{ id: "adjitm_01", item_id: "txnitm_01jq", type: "partial", amount: subtotal, proration: null }],
    totals: {
      subtotal,
      tax: "0",
      total: subtotal,
      fee: "67",
      earnings: "933",
      currency_code: txn.currency_code,
    },
    payout_totals: null,
    created_at: "2026-03-06T12:00:00.000Z",
    updated_at: "2026-03-06T12:00:00.000Z",
    ...fields,
  };
}

/** Sends the notification and waits for what it became. */
async function paddle(type: string, data: Record<string, unknown>, eventId = unique("evt_01jq")) {
  const answer = await sendPaddle(server, paddleEvent(eventId, type, data), SECRET);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(answer.body.eventId, eventId);
  return processed(server, "paddle", eventId);
}

/** A paid transaction on a fresh link with a click: the link, the transaction, and what it became. */
async function paidTransaction(money: Money = { subtotal: "2900", tax: "580" }) {
  const { link, clickId } = await linkWithClick(server);
  const txn = transaction({ clicktrail_click_id: clickId }, money);
  const sale = await paddle("transaction.completed", txn);
  assert.equal(sale.status, "sale", JSON.stringify(sale));
  return { link, txn, sale };
}

const stored = (eventId: string) =>
  countRows(server, "select count(*) as n from integration_events where event_id = ?", eventId);

describe("transaction.completed", () => {
  test("the click id in custom_data: the lead, then the sale of the total less tax, on the clicked link", async () => {
    const { link, txn, sale } = await paidTransaction({ subtotal: "2900", tax: "580" });
    assert.equal(sale.invoiceId, txn.id);
    const customer = await customerRow(server, txn.customer_id);
    assert.ok(customer, "the customer is created with the Paddle customer id as external id");
    assert.equal(customer.link_id, link.id);
    assert.equal(sale.customerId, customer.id);
    const [row] = await server.query<{ event_name: string; amount: number; payment_processor: string }>(
      "select event_name, amount, payment_processor from sale_events where id = ?",
      sale.saleEventId,
    );
    assert.deepEqual(
      [row.event_name, Number(row.amount), row.payment_processor],
      ["Purchase", 2900, "paddle"],
    );
    assert.deepEqual(await linkCounters(server, link.id), {
      clicks: 1,
      leads: 1,
      sales: 1,
      sale_amount: 2900,
      conversions: 1,
    });
  });

  test("redelivered, replayed under a new event id, or sent to track.sale with the transaction id: one sale", async () => {
    const { link, clickId } = await linkWithClick(server);
    const txn = transaction({ clicktrail_click_id: clickId }, { subtotal: "1500", tax: "0" });
    const eventId = unique("evt_01jq");
    const body = paddleEvent(eventId, "transaction.completed", txn);
    assert.equal((await sendPaddle(server, body, SECRET)).status, 200);
    await processed(server, "paddle", eventId);
    const again = await sendPaddle(server, body, SECRET);
    assert.deepEqual(again.body, { received: true, eventId, duplicate: true });
    assert.equal(await stored(eventId), 1);
    const replay = await paddle("transaction.completed", txn);
    assert.equal(replay.status, "sale");
    assert.match(replay.reason ?? "", /already recorded/);
    await server.sdk().track.sale({
      customerExternalId: txn.customer_id,
      amount: 1500,
      paymentProcessor: "paddle",
      invoiceId: txn.id,
    });
    assert.equal((await linkCounters(server, link.id)).sales, 1);
    assert.equal(
      await countRows(server, "select count(*) as n from sale_events where invoice_id = ?", txn.id),
      1,
    );
  });

  test("a customer reported with track.lead, named by external_id in custom_data; renewals by its Paddle customer", async () => {
    const { link, clickId } = await linkWithClick(server);
    const externalId = unique("user");
    await server.sdk().track.lead({ clickId, eventName: "Sign up", customerExternalId: externalId });
    const subscription = unique("sub_01jq");
    const first = transaction(
      { external_id: externalId },
      { subtotal: "2900", tax: "0" },
      { subscription_id: subscription },
    );
    const creation = await paddle("transaction.completed", first);
    assert.equal(creation.status, "sale");
    const renewal = await paddle(
      "transaction.completed",
      transaction(
        null,
        { subtotal: "2900", tax: "0" },
        { origin: "subscription_recurring", subscription_id: subscription, customer_id: first.customer_id },
      ),
    );
    assert.equal(renewal.status, "sale", JSON.stringify(renewal));
    assert.equal(renewal.customerId, creation.customerId);
    const names = await server.query<{ event_name: string; metadata: string }>(
      "select event_name, metadata from sale_events where customer_id = ? order by timestamp, id",
      creation.customerId,
    );
    assert.deepEqual(names.map((row) => row.event_name).sort(), [
      "Subscription creation",
      "Subscription renewal",
    ]);
    assert.deepEqual(await linkCounters(server, link.id), {
      clicks: 1,
      leads: 1,
      sales: 2,
      sale_amount: 5800,
      conversions: 1,
    });
  });

  test("a renewal of a Paddle customer not linked yet is parked, and recorded once its first transaction is", async () => {
    const { link, clickId } = await linkWithClick(server);
    const subscription = unique("sub_01jq");
    const first = transaction(
      { clicktrail_click_id: clickId },
      { subtotal: "1000", tax: "0" },
      { subscription_id: subscription },
    );
    const early = await paddle(
      "transaction.completed",
      transaction(
        null,
        { subtotal: "1000", tax: "0" },
        { origin: "subscription_recurring", subscription_id: subscription, customer_id: first.customer_id },
      ),
    );
    assert.equal(early.status, "parked");
    await paddle("transaction.completed", first);
    assert.equal((await processed(server, "paddle", early.eventId)).status, "sale");
    assert.equal((await linkCounters(server, link.id)).sale_amount, 2000);
  });

  test('zero-decimal JPY is kept in whole yen (Paddle\'s "5000" is ¥5000, never ×100)', async () => {
    const { link, sale } = await paidTransaction({ subtotal: "5000", tax: "500", currency: "JPY" });
    const row = await server.one<{ original_amount: number; original_currency: string }>(
      "select original_amount, original_currency from sale_events where id = ?",
      sale.saleEventId,
    );
    assert.deepEqual([Number(row?.original_amount), row?.original_currency], [5000, "jpy"]);
    assert.equal((await linkCounters(server, link.id)).sales, 1);
  });

  test("no click id and no known customer, a $0 transaction, an unknown type: 200 and ignored with why", async () => {
    const orphan = await paddle(
      "transaction.completed",
      transaction({ plan: "pro" }, { subtotal: "900", tax: "0" }),
    );
    assert.equal(orphan.status, "ignored");
    assert.match(orphan.reason ?? "", /custom_data/);
    const { link, clickId } = await linkWithClick(server);
    const trial = await paddle(
      "transaction.completed",
      transaction({ clicktrail_click_id: clickId }, { subtotal: "0", tax: "0" }),
    );
    assert.equal(trial.status, "lead", "a trial records the lead, never a sale");
    assert.deepEqual(
      [(await linkCounters(server, link.id)).leads, (await linkCounters(server, link.id)).sales],
      [1, 0],
    );
    const other = await paddle("subscription.created", { id: unique("sub_01jq"), status: "active" });
    assert.equal(other.status, "ignored");
    assert.match(other.reason ?? "", /subscription.created events are not acted on/);
  });
});

describe("Paddle-Signature", () => {
  const body = () =>
    paddleEvent(
      unique("evt_01jq"),
      "transaction.completed",
      transaction(null, { subtotal: "100", tax: "0" }),
    );
  const now = () => Math.floor(Date.now() / 1000);

  test("unsigned, signed with another secret, a body changed after signing: 401, nothing stored", async () => {
    const signed = body();
    const eventId = JSON.parse(signed).event_id;
    await rejection(post(server, "paddle", signed, {}), 401);
    await rejection(
      post(server, "paddle", signed, {
        "paddle-signature": paddleSignature(signed, ["pdl_ntfset_another_secret"]),
      }),
      401,
    );
    await rejection(
      post(server, "paddle", signed.replace('"100"', '"999"'), {
        "paddle-signature": paddleSignature(signed, [SECRET]),
      }),
      401,
    );
    await rejection(post(server, "paddle", signed, { "paddle-signature": `ts=${now()}` }), 401);
    assert.equal(await stored(eventId), 0);
  });

  test("a timestamp more than five minutes old (a replay) or ahead is refused; within it, taken", async () => {
    const signed = body();
    // Whole seconds, floored: 301 s ahead can be under 300 by the time the server reads it; 330 cannot.
    for (const ts of [now() - 301, now() + 330])
      await rejection(
        post(server, "paddle", signed, { "paddle-signature": paddleSignature(signed, [SECRET], ts) }),
        401,
      );
    const answer = await deliver(server, "paddle", signed, {
      "paddle-signature": paddleSignature(signed, [SECRET], now() - 240),
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
  });

  test("during a secret rotation (one h1 per secret) any matching h1 is enough, first or last", async () => {
    for (const secrets of [
      [SECRET, "pdl_ntfset_the_new_secret_not_set_yet"],
      ["pdl_ntfset_the_old_secret_rotated_out", SECRET],
    ]) {
      const signed = body();
      const answer = await deliver(server, "paddle", signed, {
        "paddle-signature": paddleSignature(signed, secrets),
      });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
    }
    const { key, workspaceId } = await server.newWorkspace();
    await apiJson(server.origin, key, "PUT", "/integrations/paddle", {
      secret: "pdl_ntfset_old_one_A1b2C3d4",
    });
    await apiJson(server.origin, key, "PUT", "/integrations/paddle", {
      secret: "pdl_ntfset_new_one_E5f6G7h8",
      keepPreviousSecretSeconds: 3600,
    });
    const signed = body();
    const byOld = await deliver(
      server,
      "paddle",
      signed,
      { "paddle-signature": paddleSignature(signed, ["pdl_ntfset_old_one_A1b2C3d4"]) },
      workspaceId,
    );
    assert.equal(byOld.status, 200, "the replaced secret stays accepted for the time asked");
  });
});

/** The link's sales as /analytics answers them, through the rollups and (customer filter) the raw events. */
async function analytics(linkId: string, customerId: string) {
  const query = (filter: string, interval: string) =>
    apiJson(
      server.origin,
      server.key,
      "GET",
      `/analytics?event=sales&groupBy=count&interval=${interval}&${filter}`,
    );
  return [await query(`linkId=${linkId}`, "30d"), await query(`customerId=${customerId}`, "24h")];
}

describe("refund adjustments", () => {
  test("pending, then approved (partial), then the rest (full): net revenue everywhere, taken once", async () => {
    const { link, txn, sale } = await paidTransaction({ subtotal: "2900", tax: "580" });
    const partial = refund(txn, "1000", "pending_approval");
    const pending = await paddle("adjustment.created", partial);
    assert.equal(pending.status, "ignored");
    assert.match(pending.reason ?? "", /pending approval/);
    assert.equal((await linkCounters(server, link.id)).sale_amount, 2900);

    const approved = await paddle("adjustment.updated", { ...partial, status: "approved" });
    assert.equal(approved.status, "refund", JSON.stringify(approved));
    assert.equal(approved.saleEventId, sale.saleEventId);
    const again = await paddle("adjustment.updated", {
      ...partial,
      status: "approved",
      updated_at: "2026-03-07T00:00:00Z",
    });
    assert.equal(again.status, "refund");
    assert.match(again.reason ?? "", /already recorded/);
    assert.equal((await linkCounters(server, link.id)).sale_amount, 1900);
    assert.equal((await customerRow(server, txn.customer_id))?.sale_amount, 1900);
    for (const answer of await analytics(link.id, sale.customerId as string))
      assert.deepEqual([answer.sales, answer.saleAmount], [1, 1900], JSON.stringify(answer));

    const rest = refund(txn, "1900", "approved", { type: "full" });
    rest.totals.tax = "380";
    rest.totals.total = "2280";
    assert.equal((await paddle("adjustment.created", rest)).status, "refund");
    assert.equal((await linkCounters(server, link.id)).sale_amount, 0);
    for (const answer of await analytics(link.id, sale.customerId as string))
      assert.deepEqual([answer.sales, answer.saleAmount], [1, 0], JSON.stringify(answer));
    const events = await server.sdk().events.list({ event: "sales", linkId: link.id });
    assert.equal((events[0] as { sale: { amount: number } }).sale.amount, 2900, "the sale as it was paid");
    const refunds = await server.query<{ original_amount: number }>(
      "select original_amount from refund_events where sale_event_id = ? order by timestamp",
      sale.saleEventId,
    );
    assert.deepEqual(
      refunds.map((row) => Number(row.original_amount)),
      [1000, 1900],
    );
  });

  test("a rejected refund and other adjustment actions (credit, chargeback) take nothing back", async () => {
    const { link, txn } = await paidTransaction({ subtotal: "2900", tax: "0" });
    assert.equal((await paddle("adjustment.updated", refund(txn, "2900", "rejected"))).status, "ignored");
    const credit = await paddle("adjustment.created", refund(txn, "500", "approved", { action: "credit" }));
    assert.equal(credit.status, "ignored");
    assert.match(credit.reason ?? "", /credit adjustments/);
    assert.equal((await linkCounters(server, link.id)).sale_amount, 2900);
  });

  test("a refund before its sale is parked, then applied when the transaction arrives", async () => {
    const { link, clickId } = await linkWithClick(server);
    const txn = transaction({ clicktrail_click_id: clickId }, { subtotal: "2000", tax: "0" });
    const early = await paddle("adjustment.updated", refund(txn, "500", "approved"));
    assert.equal(early.status, "parked");
    await paddle("transaction.completed", txn);
    const applied = await processed(server, "paddle", early.eventId);
    assert.equal(applied.status, "refund");
    assert.equal((await linkCounters(server, link.id)).sale_amount, 1500);
  });

  test("a refund of a transaction Clicktrail never saw: answered 200, parked with why, listed", async () => {
    const ghost = { id: unique("txn_01jq"), customer_id: unique("ctm_01jq"), currency_code: "USD" };
    const event = await paddle("adjustment.updated", refund(ghost, "900", "approved"));
    assert.equal(event.status, "parked");
    assert.match(event.reason ?? "", new RegExp(`no sale is recorded for ${ghost.id}`));
    const listed = await integrationEvents(server, "?processor=paddle&status=parked");
    assert.ok(listed.some((item) => item.eventId === event.eventId));
  });
});
