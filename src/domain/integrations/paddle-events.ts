import type { Customer } from "../customers/model.js";
import type { EventHandler } from "./event-worker.js";
import { type Json, object, str } from "./fields.js";
import type { Outcome } from "./model.js";
import type { Payments } from "./payments.js";
import type { DueEvent } from "./ports.js";

/** Keys of the transaction's `custom_data` (set by Paddle.js `customData` at checkout) that carry the click. */
const CLICK_KEYS = ["clicktrail_click_id", "dub_id", "dubClickId"];
/** ... and the customer a backend already reported with `track.lead`. */
const CUSTOMER_KEYS = ["external_id", "dubCustomerExternalId", "dubCustomerId"];

const SALE_NAMES: Record<string, string> = {
  subscription_recurring: "Subscription renewal",
  subscription_update: "Subscription update",
  subscription_charge: "Subscription update",
};

/**
 * What Paddle Billing's notifications become. A sale is the transaction's total less tax (as Stripe's), under
 * `invoiceId` = the transaction id (`txn_…`), so a redelivery or a `track.sale` with it records one sale; a
 * refund is an approved `refund` adjustment's total less tax, keyed by the adjustment id (`adj_…`).
 */
export function paddleHandler(payments: Payments): EventHandler {
  return async (event, body) => {
    const data = object(object(body).data);
    switch (event.type) {
      case "transaction.completed":
        return transactionCompleted(payments, event, data);
      case "adjustment.created":
      case "adjustment.updated":
        return adjustmentChanged(payments, event, data);
      default:
        return { status: "ignored", reason: `${event.type} events are not acted on` };
    }
  };
}

/**
 * Paddle's money: an integer string in the currency's lowest denomination (`"2900"` is $29.00, `"100"` is ¥100),
 * which is the ISO 4217 minor unit Clicktrail stores.
 */
export function paddleAmount(value: unknown): number | null {
  if (typeof value !== "string" || !/^-?\d{1,15}$/.test(value)) return null;
  return Number(value);
}

const firstOf = (data: Json, keys: string[]) => {
  for (const key of keys) {
    const value = data[key];
    if (typeof value === "string" && value !== "") return value;
    if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  }
  return null;
};

async function transactionCompleted(payments: Payments, event: DueEvent, txn: Json): Promise<Outcome> {
  const workspaceId = event.workspaceId;
  const transactionId = str(txn.id);
  const currency = str(txn.currency_code);
  const totals = object(object(txn.details).totals);
  const total = paddleAmount(totals.total);
  if (!transactionId || !currency || total === null)
    return { status: "ignored", reason: "not a transaction with details.totals and a currency_code" };
  const custom = object(txn.custom_data);
  const externalId = firstOf(custom, CUSTOMER_KEYS);
  const clickId = firstOf(custom, CLICK_KEYS);
  const paddleCustomer = str(txn.customer_id);
  const subscription = str(txn.subscription_id);

  let customer: Customer | null = externalId
    ? await payments.findByExternalId(workspaceId, externalId)
    : null;
  if (!customer && paddleCustomer) customer = await payments.linkedCustomer(workspaceId, paddleCustomer);
  let led = false;
  if (!customer && clickId) {
    customer = await payments.lead(workspaceId, {
      clickId,
      externalId: externalId ?? paddleCustomer ?? transactionId,
      eventName: "Sign up",
    });
    led = true;
  }
  if (!customer) {
    if (subscription && paddleCustomer)
      return {
        status: "parked",
        awaiting: paddleCustomer,
        reason: `no customer is linked to ${paddleCustomer} yet (by a transaction with a click id or external_id in custom_data)`,
      };
    return {
      status: "ignored",
      reason:
        "no click id (clicktrail_click_id) or known external_id in custom_data, and no known Paddle customer",
    };
  }
  if (paddleCustomer) await payments.linkCustomer(workspaceId, paddleCustomer, customer.id);

  const amount = total - (paddleAmount(totals.tax) ?? 0);
  if (amount <= 0) {
    const reason = "nothing was paid (a trial or a full discount): a sale needs an amount";
    return led ? { status: "lead", customerId: customer.id, reason } : { status: "ignored", reason };
  }
  const origin = str(txn.origin) ?? "web";
  return payments.sale(workspaceId, {
    customer,
    amount,
    currency: currency.toLowerCase(),
    eventName: SALE_NAMES[origin] ?? (subscription ? "Subscription creation" : "Purchase"),
    invoiceId: transactionId,
    payments: [transactionId],
    metadata: { origin, ...(subscription ? { subscription } : {}) },
  });
}

/**
 * Paddle reviews refunds: an adjustment is created `pending_approval`, then updated `approved` (or `rejected`).
 * Only an approved one takes money back, once, whichever of its events says so first.
 */
async function adjustmentChanged(payments: Payments, event: DueEvent, adjustment: Json): Promise<Outcome> {
  const adjustmentId = str(adjustment.id);
  const transactionId = str(adjustment.transaction_id);
  const currency = str(adjustment.currency_code);
  if (!adjustmentId || !transactionId || !currency)
    return { status: "ignored", reason: "not an adjustment of a transaction" };
  const action = String(adjustment.action);
  if (action !== "refund") return { status: "ignored", reason: `${action} adjustments are not acted on` };
  const status = String(adjustment.status);
  if (status !== "approved")
    return {
      status: "ignored",
      reason:
        status === "pending_approval"
          ? "the refund is pending approval: it is taken back when Paddle approves it (adjustment.updated)"
          : `the refund is ${status}: nothing was returned`,
    };
  const totals = object(adjustment.totals);
  const total = paddleAmount(totals.total);
  const amount =
    paddleAmount(totals.subtotal) ?? (total === null ? null : total - (paddleAmount(totals.tax) ?? 0));
  if (amount === null || amount <= 0) return { status: "ignored", reason: "nothing was returned" };
  return payments.refund(event.workspaceId, {
    payment: transactionId,
    refundKey: adjustmentId,
    amount,
    currency: currency.toLowerCase(),
    reason: str(adjustment.reason),
  });
}
