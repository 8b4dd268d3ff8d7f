// Stripe's events, shaped as Stripe sends them on API version 2026-02-25.clover and signed by the `stripe` package's
// test helper, POSTed as raw HTTP to a real server: checkouts (with a click id → lead + sale), first invoices and
// renewals, customers linked through metadata, zero- and three-decimal currencies, redeliveries and events out of
// order, one sale per invoiceId shared with `track.sale`, and the `sale.created` webhook.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type Stripe from "stripe";
import { apiJson, countRows, customerRow, linkCounters, linkWithClick, unique } from "../helpers/journey.js";
import { processed, sendStripe, stripeEvent } from "../helpers/processors.js";
import { rejection } from "../helpers/rejection.js";
import { startServer, type TestServer } from "../helpers/server.js";
import { type Receiver, startReceiver, until } from "../helpers/webhook-receiver.js";

let server: TestServer;
let receiver: Receiver;
const SECRET = "whsec_stripe_events_Q2w3E4r5T6y7";

before(async () => {
  server = await startServer({ TRUST_PROXY: "true", WEBHOOK_ALLOW_PRIVATE: "true" });
  receiver = await startReceiver();
  await apiJson(server.origin, server.key, "PUT", "/integrations/stripe", { secret: SECRET });
  const hook = await apiJson(server.origin, server.key, "POST", "/webhooks", {
    name: "sales",
    url: receiver.url,
    triggers: ["sale.created"],
  });
  receiver.secret = hook.secret;
});
after(async () => {
  await server.stop();
  await receiver.close();
});

type Session = Partial<Stripe.Checkout.Session> & Record<string, unknown>;

/** A completed Checkout Session as Stripe sends it (the fields Clicktrail reads, and the ones around them). */
function session(fields: Session): Session {
  const id = unique("cs_test");
  return {
    id,
    object: "checkout.session",
    mode: "payment",
    status: "complete",
    payment_status: "paid",
    client_reference_id: null,
    metadata: {},
    customer: null,
    customer_details: {
      email: "ana@example.com",
      name: "Ana Ruiz",
    } as Stripe.Checkout.Session.CustomerDetails,
    currency: "usd",
    amount_subtotal: 4900,
    amount_total: 4900,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    invoice: null,
    subscription: null,
    payment_intent: unique("pi"),
    payment_link: null,
    discounts: [],
    ...fields,
  };
}

type Invoice = Partial<Stripe.Invoice> & Record<string, unknown>;

function invoice(fields: Invoice & { subscription?: string }): Invoice {
  const { subscription = "sub_1QxA2a", ...rest } = fields;
  return {
    id: unique("in"),
    object: "invoice",
    customer: null,
    billing_reason: "subscription_cycle",
    status: "paid",
    currency: "eur",
    amount_due: 3509,
    amount_paid: 3509,
    total: 3509,
    subtotal: 2900,
    total_excluding_tax: 2900,
    parent: {
      type: "subscription_details",
      quote_details: null,
      subscription_details: { subscription, metadata: {} },
    } as unknown as Stripe.Invoice.Parent,
    lines: { object: "list", data: [], has_more: false, url: "/v1/invoices/lines" } as never,
    ...rest,
  };
}

/** Sends the event and waits for what it became. */
async function stripe(type: string, object: Record<string, unknown>, id = unique("evt")) {
  const answer = await sendStripe(server, stripeEvent(id, type, object), SECRET);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return processed(server, "stripe", id);
}

const salesOf = (customerId: string) =>
  server.query<{
    id: string;
    event_name: string;
    amount: number;
    currency: string;
    original_amount: number;
    original_currency: string;
    payment_processor: string;
    invoice_id: string;
    link_id: string;
    metadata: string | null;
  }>("select * from sale_events where customer_id = ? order by timestamp, id", customerId);

describe("checkout.session.completed", () => {
  test("with dub_id_<clickId> as client_reference_id: the lead, then the sale, on the clicked link", async () => {
    const { link, clickId } = await linkWithClick(server);
    const stripeCustomer = unique("cus");
    const paid = session({
      client_reference_id: `dub_id_${clickId}`,
      customer: stripeCustomer,
      amount_total: 5900,
      total_details: { amount_discount: 0, amount_shipping: 500, amount_tax: 1000 },
    });
    const event = await stripe("checkout.session.completed", paid);
    assert.equal(event.status, "sale", JSON.stringify(event));
    assert.equal(event.invoiceId, paid.id, "a payment without an invoice is deduped on its session");

    const customer = await customerRow(server, stripeCustomer);
    assert.ok(customer, "the customer is created with the Stripe customer id as external id");
    assert.equal(customer.link_id, link.id);
    assert.equal(customer.email, "ana@example.com");
    assert.equal(event.customerId, customer.id);
    const leads = await server.query<{ event_name: string }>(
      "select event_name from lead_events where customer_id = ?",
      customer.id,
    );
    assert.deepEqual(
      leads.map((lead) => lead.event_name),
      ["Sign up"],
    );
    const [sale] = await salesOf(customer.id);
    assert.equal(sale.id, event.saleEventId);
    assert.equal(sale.event_name, "Purchase");
    assert.equal(sale.amount, 4900, "the total less tax (shipping stays in), as Dub counts it");
    assert.equal(sale.payment_processor, "stripe");
    assert.deepEqual(await linkCounters(server, link.id), {
      clicks: 1,
      leads: 1,
      sales: 1,
      sale_amount: 4900,
      conversions: 1,
    });
    const delivery = await until(
      () => receiver.of("sale.created").find((d) => d.json.data.customer.id === customer.id),
      "the sale.created webhook",
    );
    assert.equal(delivery.json.data.sale.amount, 4900);
    assert.equal(delivery.json.data.sale.paymentProcessor, "stripe");
    assert.equal(delivery.json.data.sale.invoiceId, paid.id);
    assert.equal(delivery.json.data.link.id, link.id);
    assert.ok(delivery.dubSignatureValid);
  });

  test("redelivered, or followed by async_payment_succeeded for the same session: still one sale", async () => {
    const { link, clickId } = await linkWithClick(server);
    const paid = session({ client_reference_id: `dub_id_${clickId}`, customer: unique("cus") });
    const id = unique("evt");
    const body = stripeEvent(id, "checkout.session.completed", paid);
    assert.equal((await sendStripe(server, body, SECRET)).status, 200);
    await processed(server, "stripe", id);
    const again = await sendStripe(server, body, SECRET);
    assert.equal(again.body.duplicate, true);
    const async = await stripe("checkout.session.async_payment_succeeded", paid);
    assert.equal(async.status, "sale");
    assert.match(async.reason ?? "", /already recorded/);
    assert.equal((await linkCounters(server, link.id)).sales, 1);
    assert.equal(
      await countRows(server, "select count(*) as n from sale_events where invoice_id = ?", paid.id),
      1,
    );
  });

  test("unpaid (a delayed payment method): the lead now, the sale with async_payment_succeeded", async () => {
    const { link, clickId } = await linkWithClick(server);
    const pending = session({ client_reference_id: `dub_id_${clickId}`, payment_status: "unpaid" });
    const first = await stripe("checkout.session.completed", pending);
    assert.equal(first.status, "lead");
    assert.match(first.reason ?? "", /async_payment_succeeded/);
    assert.deepEqual(
      [(await linkCounters(server, link.id)).leads, (await linkCounters(server, link.id)).sales],
      [1, 0],
    );
    const later = await stripe("checkout.session.async_payment_succeeded", {
      ...pending,
      payment_status: "paid",
    });
    assert.equal(later.status, "sale");
    assert.equal((await linkCounters(server, link.id)).sales, 1);
  });

  test("no click id and no known customer: 200, ignored with why; a setup session is ignored", async () => {
    const orphan = await stripe("checkout.session.completed", session({}));
    assert.equal(orphan.status, "ignored");
    assert.match(orphan.reason ?? "", /no click id/);
    const setup = await stripe("checkout.session.completed", session({ mode: "setup", amount_total: null }));
    assert.equal(setup.reason, "a setup session takes no payment");
  });

  test("a click id of another workspace or none at all: ignored with the API's message, nothing recorded", async () => {
    const event = await stripe(
      "checkout.session.completed",
      session({ client_reference_id: "dub_id_nonexistent" }),
    );
    assert.equal(event.status, "ignored");
    assert.equal(event.reason, "Click event not found for clickId: nonexistent");
  });

  test("a known customer named in metadata.dubCustomerExternalId: the sale goes to its lead's link", async () => {
    const { link, clickId } = await linkWithClick(server);
    const externalId = unique("user");
    await server.sdk().track.lead({ clickId, eventName: "Sign up", customerExternalId: externalId });
    const event = await stripe(
      "checkout.session.completed",
      session({ metadata: { dubCustomerExternalId: externalId }, amount_total: 1200 }),
    );
    assert.equal(event.status, "sale");
    assert.equal((await linkCounters(server, link.id)).sale_amount, 1200);
  });

  test("zero-decimal JPY and three-decimal KWD are kept in their ISO minor units, never ×100", async () => {
    for (const [currency, amount] of [
      ["jpy", 5000],
      ["kwd", 12340],
    ] as const) {
      const { clickId } = await linkWithClick(server);
      const stripeCustomer = unique("cus");
      const event = await stripe(
        "checkout.session.completed",
        session({
          client_reference_id: `dub_id_${clickId}`,
          customer: stripeCustomer,
          currency,
          amount_total: amount,
        }),
      );
      assert.equal(event.status, "sale");
      const customer = await customerRow(server, stripeCustomer);
      const [sale] = await salesOf(customer?.id ?? "");
      assert.deepEqual([sale.original_amount, sale.original_currency], [amount, currency]);
    }
  });
});

describe("subscriptions: invoice.paid", () => {
  /** A subscription checkout with a click; returns its customer, link and first invoice id. */
  async function subscribed() {
    const { link, clickId } = await linkWithClick(server);
    const stripeCustomer = unique("cus");
    const first = unique("in");
    const event = await stripe(
      "checkout.session.completed",
      session({
        mode: "subscription",
        client_reference_id: `dub_id_${clickId}`,
        customer: stripeCustomer,
        currency: "eur",
        amount_total: 3509,
        total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 609 },
        invoice: first,
        subscription: "sub_1QxA2a",
        payment_intent: null,
      }),
    );
    assert.equal(event.status, "sale");
    return { link, stripeCustomer, first, customerId: event.customerId as string };
  }

  test("the first invoice comes with the checkout: one sale; each renewal is a sale of its own", async () => {
    const { link, stripeCustomer, first, customerId } = await subscribed();
    const firstInvoice = await stripe(
      "invoice.paid",
      invoice({ id: first, customer: stripeCustomer, billing_reason: "subscription_create" }),
    );
    assert.equal(firstInvoice.status, "sale");
    assert.match(firstInvoice.reason ?? "", /already recorded under invoiceId/);
    const renewal = await stripe("invoice.paid", invoice({ customer: stripeCustomer }));
    assert.equal(renewal.status, "sale");
    assert.equal(renewal.reason, null);
    const sales = await salesOf(customerId);
    assert.deepEqual(
      sales.map((sale) => [sale.event_name, sale.original_amount, sale.original_currency]),
      [
        ["Subscription creation", 2900, "eur"],
        ["Subscription renewal", 2900, "eur"],
      ],
    );
    assert.deepEqual(JSON.parse(sales[1].metadata ?? "null"), {
      billingReason: "subscription_cycle",
      subscription: "sub_1QxA2a",
    });
    assert.equal((await linkCounters(server, link.id)).sales, 2);
  });

  test("a partly paid invoice counts what was paid; a $0 invoice (a trial) records nothing", async () => {
    const { stripeCustomer, customerId } = await subscribed();
    const partly = await stripe(
      "invoice.paid",
      invoice({ customer: stripeCustomer, amount_paid: 2000, total: 3509, starting_balance: -1509 }),
    );
    assert.equal(partly.status, "sale");
    const trial = await stripe(
      "invoice.paid",
      invoice({ customer: stripeCustomer, amount_paid: 0, total: 0 }),
    );
    assert.equal(trial.status, "ignored");
    assert.deepEqual(
      (await salesOf(customerId)).map((sale) => sale.original_amount),
      [2900, 2000],
    );
  });

  test("an invoice before the checkout that links its customer waits (parked), then is the same sale", async () => {
    const { clickId } = await linkWithClick(server);
    const stripeCustomer = unique("cus");
    const first = unique("in");
    const early = await stripe(
      "invoice.paid",
      invoice({ id: first, customer: stripeCustomer, billing_reason: "subscription_create" }),
    );
    assert.equal(early.status, "parked");
    const checkout = await stripe(
      "checkout.session.completed",
      session({
        mode: "subscription",
        client_reference_id: `dub_id_${clickId}`,
        customer: stripeCustomer,
        invoice: first,
        currency: "eur",
        amount_total: 2900,
      }),
    );
    assert.equal(checkout.status, "sale");
    const woken = await processed(server, "stripe", early.eventId);
    assert.equal(woken.status, "sale");
    assert.equal(woken.saleEventId, checkout.saleEventId);
    assert.equal(
      await countRows(server, "select count(*) as n from sale_events where invoice_id = ?", first),
      1,
    );
  });

  test("track.sale first with the same invoiceId: the webhook records nothing twice", async () => {
    const { stripeCustomer, customerId } = await subscribed();
    const manual = unique("in");
    const customer = await server.one<{ external_id: string }>(
      "select external_id from customers where id = ?",
      customerId,
    );
    await server.sdk().track.sale({
      customerExternalId: customer?.external_id as string,
      amount: 2900,
      currency: "eur",
      invoiceId: manual,
      paymentProcessor: "stripe",
    });
    const event = await stripe("invoice.paid", invoice({ id: manual, customer: stripeCustomer }));
    assert.equal(event.status, "sale");
    assert.match(event.reason ?? "", /already recorded/);
    assert.equal(
      await countRows(server, "select count(*) as n from sale_events where invoice_id = ?", manual),
      1,
    );
  });
});

describe("customer.created / customer.updated", () => {
  test("metadata.dubCustomerExternalId links the Stripe customer: its later invoices are its sales", async () => {
    const { link, clickId } = await linkWithClick(server);
    const externalId = unique("user");
    await server.sdk().track.lead({ clickId, eventName: "Sign up", customerExternalId: externalId });
    const stripeCustomer = unique("cus");
    const linked = await stripe("customer.created", {
      id: stripeCustomer,
      object: "customer",
      email: "sam@example.com",
      name: "Sam",
      metadata: { dubCustomerExternalId: externalId },
    });
    assert.equal(linked.status, "linked");
    const sale = await stripe("invoice.paid", invoice({ customer: stripeCustomer, currency: "usd" }));
    assert.equal(sale.status, "sale");
    assert.equal((await linkCounters(server, link.id)).sale_amount, 2900);
  });

  test("a new external id with metadata.dubClickId: the customer and its lead 'New customer'", async () => {
    const { link, clickId } = await linkWithClick(server);
    const externalId = unique("user");
    const event = await stripe("customer.updated", {
      id: unique("cus"),
      object: "customer",
      email: "lee@example.com",
      name: "Lee",
      metadata: { dubCustomerExternalId: externalId, dubClickId: clickId },
    });
    assert.equal(event.status, "lead");
    const customer = await customerRow(server, externalId);
    assert.equal(customer?.link_id, link.id);
    assert.equal(customer?.name, "Lee");
  });

  test("no Dub metadata: ignored, with why", async () => {
    const event = await stripe("customer.created", { id: unique("cus"), object: "customer", metadata: {} });
    assert.equal(event.status, "ignored");
    assert.match(event.reason ?? "", /dubCustomerExternalId/);
  });
});

describe("stripeCustomerId in the customer's JSON", () => {
  test("the Stripe customer of a checkout is answered by the dub SDK's customers.get/list and in /events", async () => {
    const { clickId } = await linkWithClick(server);
    const stripeCustomer = unique("cus");
    const sale = await stripe(
      "checkout.session.completed",
      session({ client_reference_id: `dub_id_${clickId}`, customer: stripeCustomer }),
    );
    const dub = server.sdk();
    const customerId = sale.customerId as string;
    assert.equal((await dub.customers.get({ id: customerId })).stripeCustomerId, stripeCustomer);
    const listed = await dub.customers.list({ externalId: stripeCustomer });
    assert.deepEqual(
      listed.result.map((customer) => customer.stripeCustomerId),
      [stripeCustomer],
    );
    const events = await dub.events.list({ event: "sales", customerId });
    assert.equal(
      (events[0] as { customer: { stripeCustomerId: string } }).customer.stripeCustomerId,
      stripeCustomer,
    );

    const externalId = stripeCustomer;
    await stripe(
      "checkout.session.completed",
      session({ metadata: { dubCustomerExternalId: externalId }, customer: unique("cus") }),
    );
    assert.equal(
      (await dub.customers.get({ id: customerId })).stripeCustomerId,
      stripeCustomer,
      "the first Stripe customer stays",
    );
  });

  test("customer.updated links a track.lead customer; a customer without a Stripe customer answers null", async () => {
    const { clickId } = await linkWithClick(server);
    const externalId = unique("user");
    const dub = server.sdk();
    await dub.track.lead({ clickId, eventName: "Sign up", customerExternalId: externalId });
    const [before] = (await dub.customers.list({ externalId })).result;
    assert.equal(before.stripeCustomerId, null);
    const stripeCustomer = unique("cus");
    const linked = await stripe("customer.updated", {
      id: stripeCustomer,
      object: "customer",
      email: "lin@example.com",
      name: "Lin",
      metadata: { dubCustomerExternalId: externalId },
    });
    assert.equal(linked.status, "linked");
    assert.equal((await dub.customers.get({ id: before.id })).stripeCustomerId, stripeCustomer);
  });
  test("PATCH /customers/{id} sets it (dub SDK): that Stripe customer's invoices are its sales; taken is 409; null unlinks", async () => {
    const { link, clickId } = await linkWithClick(server);
    const externalId = unique("user");
    const dub = server.sdk();
    await dub.track.lead({ clickId, eventName: "Sign up", customerExternalId: externalId });
    const [customer] = (await dub.customers.list({ externalId })).result;
    const stripeCustomer = unique("cus");
    const patched = await dub.customers.update({
      id: customer.id,
      requestBody: { stripeCustomerId: stripeCustomer },
    });
    assert.equal(patched.stripeCustomerId, stripeCustomer);
    const paid = await stripe(
      "invoice.paid",
      invoice({ customer: stripeCustomer, billing_reason: "subscription_create" }),
    );
    assert.equal(paid.status, "sale", JSON.stringify(paid));
    assert.equal(paid.customerId, customer.id);
    assert.equal((await linkCounters(server, link.id)).sales, 1);

    const other = await linkWithClick(server);
    const otherId = unique("user");
    await dub.track.lead({ clickId: other.clickId, eventName: "Sign up", customerExternalId: otherId });
    const [second] = (await dub.customers.list({ externalId: otherId })).result;
    await rejection(
      dub.customers.update({ id: second.id, requestBody: { stripeCustomerId: stripeCustomer } }),
      409,
    );
    const cleared = await dub.customers.update({ id: customer.id, requestBody: { stripeCustomerId: null } });
    assert.equal(cleared.stripeCustomerId, null);
    assert.equal(
      (await dub.customers.update({ id: second.id, requestBody: { stripeCustomerId: stripeCustomer } }))
        .stripeCustomerId,
      stripeCustomer,
    );
  });
});
