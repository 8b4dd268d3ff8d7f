// Shopify's webhooks as Shopify sends them (REST bodies, X-Shopify-* headers, base64 HMAC of the raw body), POSTed
// to a real server: orders/paid with the click id in the cart attributes → lead + sale; refunds/create takes money
// back; customers/redact erases; a bad HMAC is a 401; a redelivery (same X-Shopify-Event-Id) records nothing twice.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { apiJson, customerRow, linkCounters, linkWithClick, unique } from "../helpers/journey.js";
import { deliver, post, processed, shopifyHeaders } from "../helpers/processors.js";
import { rejection } from "../helpers/rejection.js";
import { startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
const SECRET = "shpss_app_client_secret_0a1b2c3d";

before(async () => {
  server = await startServer({ TRUST_PROXY: "true" });
  await apiJson(server.origin, server.key, "PUT", "/integrations/shopify", { secret: SECRET });
});
after(async () => {
  await server.stop();
});

let orderNumber = 6021456789012;

function order(clickId: string | null, fields: Record<string, unknown> = {}) {
  orderNumber += 1;
  return {
    id: orderNumber,
    name: "#1042",
    order_number: 1042,
    confirmation_number: unique("K7QW2"),
    checkout_token: "c8a3e5b1f09d4e2a9b7c6d5e4f3a2b10",
    test: false,
    financial_status: "paid",
    currency: "USD",
    total_price: "54.00",
    subtotal_price: "45.00",
    total_tax: "4.00",
    total_discounts: "5.00",
    current_subtotal_price_set: { shop_money: { amount: "45.00", currency_code: "USD" } },
    customer: { id: orderNumber + 1_000_000, email: "sam@example.com", first_name: "Sam", last_name: "Lee" },
    discount_codes: [{ code: "PARTNER10", amount: "5.00", type: "fixed_amount" }],
    note_attributes: clickId ? [{ name: "clicktrail_click_id", value: clickId }] : [],
    landing_site: "/products/tee",
    cancelled_at: null,
    ...fields,
  };
}

/** The link's sales as /analytics answers them: through the rollups, and through the raw events (customer filter). */
async function analytics(linkId: string, customerId: string) {
  return Promise.all(
    [`interval=30d&linkId=${linkId}`, `interval=24h&customerId=${customerId}`].map((filter) =>
      apiJson(server.origin, server.key, "GET", `/analytics?event=sales&groupBy=count&${filter}`),
    ),
  );
}

async function shopify(topic: string, payload: unknown, eventId = unique("evt")) {
  const body = JSON.stringify(payload);
  const answer = await deliver(server, "shopify", body, shopifyHeaders(body, SECRET, topic, eventId));
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return processed(server, "shopify", eventId);
}

test("orders/paid with the click in the cart attributes: lead, sale of the subtotal, a partial refund", async () => {
  const { link, clickId } = await linkWithClick(server);
  const paid = order(clickId);
  const eventId = unique("evt");
  const sale = await shopify("orders/paid", paid, eventId);
  assert.equal(sale.status, "sale", JSON.stringify(sale));
  assert.equal(sale.invoiceId, paid.confirmation_number);
  const customer = await customerRow(server, String(paid.customer.id));
  assert.equal(customer?.name, "Sam Lee");
  assert.deepEqual(await linkCounters(server, link.id), {
    clicks: 1,
    leads: 1,
    sales: 1,
    sale_amount: 4500,
    conversions: 1,
  });
  const body = JSON.stringify(paid);
  const again = await deliver(server, "shopify", body, shopifyHeaders(body, SECRET, "orders/paid", eventId));
  assert.equal(again.body.duplicate, true);

  const refund = await shopify("refunds/create", {
    id: 902345678901,
    order_id: paid.id,
    created_at: "2026-03-05T09:00:00-08:00",
    restock: true,
    refund_line_items: [{ line_item_id: 14012345678901, quantity: 1, subtotal: 20.0, total_tax: 1.8 }],
    transactions: [
      {
        id: 7123456789012,
        order_id: paid.id,
        kind: "refund",
        status: "success",
        amount: "21.80",
        currency: "USD",
      },
      {
        id: 7123456789013,
        order_id: paid.id,
        kind: "refund",
        status: "failure",
        amount: "5.00",
        currency: "USD",
      },
    ],
    order_adjustments: [],
  });
  assert.equal(refund.status, "refund", JSON.stringify(refund));
  // 21.80 returned is the line's 20.00 and its 1.80 tax: the sale (a subtotal, before tax) loses 20.00
  const net = 4500 - 2000;
  assert.equal((await linkCounters(server, link.id)).sale_amount, net);
  assert.equal((await customerRow(server, String(paid.customer.id)))?.sale_amount, net);
  for (const answer of await analytics(link.id, sale.customerId as string))
    assert.deepEqual([answer.sales, answer.saleAmount], [1, net], JSON.stringify(answer));

  const shippingOnly = await shopify("refunds/create", {
    id: 902345678902,
    order_id: paid.id,
    refund_line_items: [],
    transactions: [{ id: 7123456789014, kind: "refund", status: "success", amount: "5.00", currency: "USD" }],
    order_adjustments: [{ amount: "-5.00", tax_amount: "0.00", kind: "shipping_refund" }],
  });
  assert.equal(shippingOnly.status, "ignored", JSON.stringify(shippingOnly));
  assert.match(shippingOnly.reason ?? "", /shipping or tax/);

  const rest = await shopify("refunds/create", {
    id: 902345678903,
    order_id: paid.id,
    refund_line_items: [{ line_item_id: 14012345678902, quantity: 1, subtotal: "25.00", total_tax: "2.20" }],
    transactions: [
      { id: 7123456789015, kind: "refund", status: "success", amount: "27.20", currency: "USD" },
    ],
    order_adjustments: [],
  });
  assert.equal(rest.status, "refund", JSON.stringify(rest));
  assert.equal(rest.reason, null, "exactly the rest of the sale, not capped");
  assert.equal((await linkCounters(server, link.id)).sale_amount, 0);
  assert.equal((await customerRow(server, String(paid.customer.id)))?.sale_amount, 0);
  for (const answer of await analytics(link.id, sale.customerId as string))
    assert.deepEqual([answer.sales, answer.saleAmount], [1, 0], JSON.stringify(answer));
});

test("a refund of less than its lines' calculated amount takes back the merchandise's share of it", async () => {
  const { link, clickId } = await linkWithClick(server);
  const paid = order(clickId);
  await shopify("orders/paid", paid);
  // 10.90 returned of a line worth 20.00 + 1.80 tax: 10.90 × 20.00 / 21.80 = 10.00 of the sale
  const refund = await shopify("refunds/create", {
    id: paid.id + 500_000,
    order_id: paid.id,
    refund_line_items: [{ line_item_id: 1, quantity: 1, subtotal: 20.0, total_tax: 1.8 }],
    transactions: [{ id: 2, kind: "refund", status: "success", amount: "10.90", currency: "USD" }],
    order_adjustments: [{ amount: "10.90", tax_amount: "0.00", kind: "refund_discrepancy" }],
  });
  assert.equal(refund.status, "refund", JSON.stringify(refund));
  assert.equal((await linkCounters(server, link.id)).sale_amount, 4500 - 1000);
});

test("a bad HMAC is a 401 (Shopify's rule for compliance topics) and stores nothing", async () => {
  const body = JSON.stringify(order(null));
  const unsigned = { ...shopifyHeaders(body, SECRET, "orders/paid", unique("evt")) };
  delete (unsigned as Record<string, string>)["x-shopify-hmac-sha256"];
  await rejection(post(server, "shopify", body, unsigned), 401);
  const headers = { ...shopifyHeaders(body, SECRET, "orders/paid", unique("evt")) };
  headers["x-shopify-hmac-sha256"] = shopifyHeaders(body, "another_secret", "orders/paid", "x")[
    "x-shopify-hmac-sha256"
  ];
  await rejection(post(server, "shopify", body, headers), 401);
});

test("a test order is ignored; an order without a click or known customer is ignored with why", async () => {
  const { clickId } = await linkWithClick(server);
  assert.equal((await shopify("orders/paid", order(clickId, { test: true }))).status, "ignored");
  const orphan = await shopify("orders/paid", order(null));
  assert.equal(orphan.status, "ignored");
  assert.match(orphan.reason ?? "", /no click id/);
});

test("customers/redact erases the customer as DELETE /customers/{id} does", async () => {
  const { link, clickId } = await linkWithClick(server);
  const paid = order(clickId);
  await shopify("orders/paid", paid);
  const erased = await shopify("customers/redact", {
    shop_id: 954889,
    shop_domain: "acme-tees.myshopify.com",
    customer: { id: paid.customer.id, email: "sam@example.com", phone: null },
    orders_to_redact: [paid.id],
  });
  assert.equal(erased.status, "erased");
  assert.equal(await customerRow(server, String(paid.customer.id)), undefined);
  assert.equal((await linkCounters(server, link.id)).sales, 0);
});

test("a refund before its order is parked, then applied when orders/paid arrives", async () => {
  const { link, clickId } = await linkWithClick(server);
  const paid = order(clickId);
  const early = await shopify("refunds/create", {
    id: paid.id + 600_000,
    order_id: paid.id,
    refund_line_items: [{ line_item_id: 1, quantity: 1, subtotal: "20.00", total_tax: "1.80" }],
    transactions: [{ id: 3, kind: "refund", status: "success", amount: "21.80", currency: "USD" }],
    order_adjustments: [],
  });
  assert.equal(early.status, "parked", JSON.stringify(early));
  await shopify("orders/paid", paid);
  assert.equal((await processed(server, "shopify", early.eventId)).status, "refund");
  assert.equal((await linkCounters(server, link.id)).sale_amount, 4500 - 2000);
});

test("zero-decimal JPY and three-decimal KWD: decimal strings to ISO minor units, the refund alike", async () => {
  for (const [currency, subtotal, expected, lineSubtotal, tax, returned, taken] of [
    ["JPY", "1500", 1500, "1000", "100", "1100", 1000],
    ["KWD", "12.345", 12345, "5.000", "0.500", "5.500", 5000],
  ] as const) {
    const { link, clickId } = await linkWithClick(server);
    const paid = order(clickId, {
      currency,
      current_subtotal_price_set: { shop_money: { amount: subtotal, currency_code: currency } },
    });
    assert.equal((await shopify("orders/paid", paid)).status, "sale");
    const sale = await server.one<{ original_amount: number; original_currency: string }>(
      "select original_amount, original_currency from sale_events where link_id = ?",
      link.id,
    );
    assert.deepEqual(
      [Number(sale?.original_amount), sale?.original_currency],
      [expected, currency.toLowerCase()],
    );
    const refund = await shopify("refunds/create", {
      id: paid.id + 700_000,
      order_id: paid.id,
      refund_line_items: [{ line_item_id: 1, quantity: 1, subtotal: lineSubtotal, total_tax: tax }],
      transactions: [{ id: 4, kind: "refund", status: "success", amount: returned, currency }],
      order_adjustments: [],
    });
    assert.equal(refund.status, "refund", JSON.stringify(refund));
    const taken_ = await server.one<{ original_amount: number }>(
      "select original_amount from refund_events where link_id = ?",
      link.id,
    );
    assert.equal(Number(taken_?.original_amount), taken, currency);
  }
});

test("shop/redact erases every customer linked to a Shopify customer of the workspace", async () => {
  const first = await linkWithClick(server);
  const second = await linkWithClick(server);
  const orders = [order(first.clickId), order(second.clickId)];
  for (const paid of orders) await shopify("orders/paid", paid);
  const erased = await shopify("shop/redact", { shop_id: 954889, shop_domain: "acme-tees.myshopify.com" });
  assert.equal(erased.status, "erased");
  for (const paid of orders) assert.equal(await customerRow(server, String(paid.customer.id)), undefined);
  for (const { link } of [first, second]) assert.equal((await linkCounters(server, link.id)).sales, 0);
});
