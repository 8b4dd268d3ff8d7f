import type { Customer } from "../customers/model.js";
import type { EventHandler } from "./event-worker.js";
import { idOf, type Json, num, object, str } from "./fields.js";
import type { Outcome } from "./model.js";
import { netShare } from "./net-refund.js";
import type { Payments } from "./payments.js";
import type { DueEvent } from "./ports.js";
import { stripeToMinorUnits } from "./stripe-money.js";

/** Where Stripe Payment Links and Checkout carry the click: `client_reference_id = "dub_id_<clickId>"`. */
const CLICK_REFERENCE = /^dub_id_(.+)$/;

/**
 * What Stripe's events become. Amounts are Dub's: a checkout's total less tax, an invoice's total less tax when
 * fully paid (else what was paid); `invoiceId` is the invoice (`in_…`) or, for a payment without one, the
 * Checkout Session (`cs_…`), so a redelivery, the first invoice's two events and a manual `track.sale` with the
 * same id record one sale.
 */
export function stripeHandler(payments: Payments): EventHandler {
  return async (event, body) => {
    const data = object(object(body).data);
    const subject = object(data.object);
    switch (event.type) {
      case "checkout.session.completed":
      case "checkout.session.async_payment_succeeded":
        return checkoutCompleted(payments, event, subject);
      case "invoice.paid":
        return invoicePaid(payments, event, subject);
      case "invoice_payment.paid":
        return invoicePaymentPaid(payments, event, subject);
      case "customer.created":
      case "customer.updated":
        return customerChanged(payments, event, subject);
      case "charge.refunded":
        return chargeRefunded(payments, event, subject);
      default:
        return { status: "ignored", reason: `${event.type} events are not acted on` };
    }
  };
}

/** Dub's names for the customer in Stripe metadata: `dubCustomerExternalId`, formerly `dubCustomerId`. */
const externalIdIn = (metadata: unknown) =>
  str(object(metadata).dubCustomerExternalId) ?? str(object(metadata).dubCustomerId);

async function checkoutCompleted(payments: Payments, event: DueEvent, session: Json): Promise<Outcome> {
  const workspaceId = event.workspaceId;
  if (session.mode === "setup") return { status: "ignored", reason: "a setup session takes no payment" };
  const stripeCustomer = idOf(session.customer);
  const details = object(session.customer_details);
  const email = str(details.email) ?? str(session.customer_email);
  const clickId = str(session.client_reference_id)?.match(CLICK_REFERENCE)?.[1] ?? null;
  const externalId = externalIdIn(session.metadata);

  let customer: Customer | null = null;
  if (externalId) customer = await payments.findByExternalId(workspaceId, externalId);
  if (!customer && stripeCustomer) customer = await payments.linkedCustomer(workspaceId, stripeCustomer);
  let led = false;
  if (!customer && clickId) {
    customer = await payments.lead(workspaceId, {
      clickId,
      externalId: externalId ?? stripeCustomer ?? email ?? str(session.id) ?? event.eventId,
      eventName: "Sign up",
      name: str(details.name),
      email,
    });
    led = true;
  }
  if (!customer)
    return {
      status: "ignored",
      reason:
        "no click id in client_reference_id (dub_id_…), and no known customer in metadata or on the Stripe customer",
    };
  if (stripeCustomer) await payments.linkCustomer(workspaceId, stripeCustomer, customer.id);

  const led_ = (reason: string): Outcome =>
    led ? { status: "lead", customerId: customer.id, reason } : { status: "ignored", reason };
  if (session.payment_status !== "paid")
    return led_(
      `payment_status is ${String(session.payment_status)}: the sale comes with checkout.session.async_payment_succeeded`,
    );
  const currency = str(session.currency);
  const total = num(session.amount_total);
  if (!currency || total === null) return led_("the session has no amount_total or currency");
  const amount = total - (num(object(session.total_details).amount_tax) ?? 0);
  if (amount <= 0) return led_("nothing was paid (a trial or a full discount): a sale needs an amount");

  const invoiceId = idOf(session.invoice) ?? str(session.id) ?? event.eventId;
  const paymentIntent = idOf(session.payment_intent);
  return payments.sale(workspaceId, {
    customer,
    amount: stripeToMinorUnits(amount, currency),
    currency,
    eventName: session.mode === "subscription" ? "Subscription creation" : "Purchase",
    invoiceId,
    payments: paymentIntent ? [paymentIntent] : [],
  });
}

const RENEWAL_NAMES: Record<string, string> = {
  subscription_create: "Subscription creation",
  subscription_cycle: "Subscription renewal",
  subscription_update: "Subscription update",
};

async function invoicePaid(payments: Payments, event: DueEvent, invoice: Json): Promise<Outcome> {
  const workspaceId = event.workspaceId;
  const invoiceId = str(invoice.id);
  const currency = str(invoice.currency);
  const paid = num(invoice.amount_paid);
  if (!invoiceId || !currency || paid === null) return { status: "ignored", reason: "not an invoice" };
  if (paid <= 0)
    return { status: "ignored", reason: "a $0 invoice (a trial or a full discount) records no sale" };
  const subscriptionDetails = object(object(invoice.parent).subscription_details);
  const stripeCustomer = idOf(invoice.customer);
  let customer = stripeCustomer ? await payments.linkedCustomer(workspaceId, stripeCustomer) : null;
  const externalId = externalIdIn(subscriptionDetails.metadata) ?? externalIdIn(invoice.metadata);
  if (!customer && externalId) {
    customer = await payments.findByExternalId(workspaceId, externalId);
    if (customer && stripeCustomer) await payments.linkCustomer(workspaceId, stripeCustomer, customer.id);
  }
  if (!customer) {
    if (!stripeCustomer) return { status: "ignored", reason: "the invoice names no customer" };
    return {
      status: "parked",
      awaiting: stripeCustomer,
      reason: `no customer is linked to ${stripeCustomer} yet (by a checkout with a click id, or customer metadata)`,
    };
  }
  const total = num(invoice.total);
  const withoutTax = num(invoice.total_excluding_tax);
  const amount = paid === total && withoutTax !== null ? withoutTax : paid;
  const billingReason = str(invoice.billing_reason) ?? "manual";
  const subscription = idOf(subscriptionDetails.subscription);
  return payments.sale(workspaceId, {
    customer,
    amount: stripeToMinorUnits(amount, currency),
    currency,
    eventName: RENEWAL_NAMES[billingReason] ?? "Invoice paid",
    invoiceId,
    payments: paymentIntentsOf(invoice),
    metadata: { billingReason, ...(subscription ? { subscription } : {}) },
  });
}

/** The payment intents an invoice lists when its `payments` are expanded (not by default). */
function paymentIntentsOf(invoice: Json): string[] {
  const list = object(invoice.payments).data;
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry) => {
    const id = idOf(object(object(entry).payment).payment_intent);
    return id ? [id] : [];
  });
}

/** An invoice's payment (since API 2025-03-31 charges no longer name their invoice): ties its intent to it. */
async function invoicePaymentPaid(payments: Payments, event: DueEvent, payment: Json): Promise<Outcome> {
  const invoiceId = idOf(payment.invoice);
  const paymentIntent = idOf(object(payment.payment).payment_intent);
  if (!invoiceId || !paymentIntent)
    return { status: "ignored", reason: "the invoice payment names no invoice or payment intent" };
  await payments.linkPayment(event.workspaceId, paymentIntent, invoiceId);
  return { status: "linked", invoiceId, reason: `${paymentIntent} is a payment of ${invoiceId}` };
}

async function customerChanged(payments: Payments, event: DueEvent, stripeCustomer: Json): Promise<Outcome> {
  const workspaceId = event.workspaceId;
  const id = str(stripeCustomer.id);
  const metadata = object(stripeCustomer.metadata);
  const externalId = externalIdIn(metadata);
  if (!id || !externalId)
    return {
      status: "ignored",
      reason: "no dubCustomerExternalId (or dubCustomerId) in the customer's metadata",
    };
  const known = await payments.findByExternalId(workspaceId, externalId);
  if (known) {
    await payments.linkCustomer(workspaceId, id, known.id);
    return { status: "linked", customerId: known.id, reason: `${id} is customer ${externalId}` };
  }
  const clickId = str(metadata.dubClickId);
  if (!clickId) return { status: "ignored", reason: `no customer has the external id ${externalId}` };
  const customer = await payments.lead(workspaceId, {
    clickId,
    externalId,
    eventName: "New customer",
    name: str(stripeCustomer.name),
    email: str(stripeCustomer.email),
  });
  await payments.linkCustomer(workspaceId, id, customer.id);
  return { status: "lead", customerId: customer.id };
}

/**
 * `amount_refunded` is cumulative: each event takes back what it adds to what this charge's refunds already took,
 * so two events (or their redeliveries) in either order take back the total once. The refund key is the charge
 * and its cumulative amount. The charge's amount includes tax, the sale does not: the sale loses its share of the
 * refund (refunded × sale / charge amount; neither the charge nor its Refund objects say how much of a refund is
 * tax), so refunding the whole charge takes exactly the sale.
 */
async function chargeRefunded(payments: Payments, event: DueEvent, charge: Json): Promise<Outcome> {
  const workspaceId = event.workspaceId;
  const chargeId = str(charge.id);
  const payment = idOf(charge.payment_intent);
  const currency = str(charge.currency);
  const refunded = num(charge.amount_refunded);
  if (!chargeId || !currency || refunded === null) return { status: "ignored", reason: "not a charge" };
  if (!payment)
    return { status: "ignored", reason: `charge ${chargeId} has no payment intent to find its sale by` };
  const invoiceId = await payments.invoiceForPayment(workspaceId, payment);
  const sale = invoiceId ? await payments.saleForInvoice(workspaceId, invoiceId) : null;
  const returned = stripeToMinorUnits(refunded, currency);
  const charged = num(charge.amount);
  const total =
    sale && charged !== null && sale.originalCurrency.toLowerCase() === currency.toLowerCase()
      ? netShare(returned, sale.originalAmount, stripeToMinorUnits(charged, currency))
      : returned;
  const already = sale ? await payments.refundedOf(workspaceId, sale.id) : 0;
  const amount = total - already;
  if (sale && amount <= 0)
    return {
      status: "ignored",
      reason: `the ${refunded} refunded of ${chargeId} is already taken off its sale`,
    };
  return payments.refund(workspaceId, {
    payment,
    refundKey: `${chargeId}:${refunded}`,
    amount,
    currency,
    reason: null,
  });
}
