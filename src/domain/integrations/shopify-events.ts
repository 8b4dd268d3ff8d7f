import type { Customer } from "../customers/model.js";
import { decimalToMinorUnits } from "./decimal-money.js";
import type { EventHandler } from "./event-worker.js";
import { type Json, object, str } from "./fields.js";
import type { Outcome } from "./model.js";
import { netShare } from "./net-refund.js";
import type { Payments } from "./payments.js";
import type { DueEvent } from "./ports.js";

/** Cart attributes (`note_attributes`) that carry the click id from the storefront. */
const CLICK_ATTRIBUTES = new Set(["clicktrail_click_id", "dub_id", "dubClickId"]);

/**
 * What Shopify's topics become. A sale is Dub's amount (`current_subtotal_price`: after discounts, before shipping
 * and tax, in the shop's currency) under `invoiceId` = the order's `confirmation_number` (its id without one).
 * Shopify ids are integers beyond 2^31: kept as strings.
 */
export function shopifyHandler(payments: Payments): EventHandler {
  return async (event, body) => {
    const subject = object(body);
    switch (event.type) {
      case "orders/paid":
        return orderPaid(payments, event, subject);
      case "refunds/create":
        return refundCreated(payments, event, subject);
      case "customers/redact": {
        const id = idString(object(subject.customer).id);
        const erased = id ? await payments.erase(event.workspaceId, [id]) : 0;
        return { status: "erased", reason: `${erased} customer(s) erased` };
      }
      case "shop/redact": {
        const erased = await payments.erase(event.workspaceId, null);
        return { status: "erased", reason: `${erased} customer(s) of the shop erased` };
      }
      default:
        return { status: "ignored", reason: `${event.type} events are not acted on` };
    }
  };
}

const idString = (value: unknown): string | null =>
  typeof value === "number" && Number.isSafeInteger(value) ? String(value) : str(value);

function clickIdOf(order: Json): string | null {
  const attributes = Array.isArray(order.note_attributes) ? order.note_attributes : [];
  for (const attribute of attributes) {
    const { name, value } = object(attribute);
    if (typeof name === "string" && CLICK_ATTRIBUTES.has(name) && str(value)) return str(value);
  }
  const landing = str(order.landing_site);
  if (!landing) return null;
  try {
    return new URL(landing, "https://shop.invalid").searchParams.get("dub_id");
  } catch {
    return null;
  }
}

async function orderPaid(payments: Payments, event: DueEvent, order: Json): Promise<Outcome> {
  const workspaceId = event.workspaceId;
  const orderId = idString(order.id);
  if (!orderId) return { status: "ignored", reason: "not an order" };
  if (order.test === true) return { status: "ignored", reason: "a test order (Shopify's test gateway)" };
  const shopMoney = object(object(order.current_subtotal_price_set).shop_money);
  const currency = str(shopMoney.currency_code) ?? str(order.currency);
  const amount = currency
    ? decimalToMinorUnits(shopMoney.amount ?? order.current_subtotal_price ?? order.subtotal_price, currency)
    : null;
  if (!currency || amount === null)
    return { status: "ignored", reason: "the order has no subtotal or currency" };
  const buyer = object(order.customer);
  const shopifyCustomer = idString(buyer.id);
  const email = str(buyer.email) ?? str(order.email);
  let customer: Customer | null = shopifyCustomer
    ? await payments.linkedCustomer(workspaceId, shopifyCustomer)
    : null;
  let led = false;
  const clickId = clickIdOf(order);
  if (!customer && clickId) {
    const name = [str(buyer.first_name), str(buyer.last_name)].filter(Boolean).join(" ") || null;
    customer = await payments.lead(workspaceId, {
      clickId,
      externalId: shopifyCustomer ?? email ?? `shopify_order_${orderId}`,
      eventName: "Account created",
      name,
      email,
    });
    led = true;
  }
  if (!customer)
    return {
      status: "ignored",
      reason:
        "no click id in the cart attributes (clicktrail_click_id) or landing_site, and no known customer",
    };
  if (shopifyCustomer) await payments.linkCustomer(workspaceId, shopifyCustomer, customer.id);
  if (amount <= 0)
    return led
      ? { status: "lead", customerId: customer.id, reason: "nothing was paid" }
      : { status: "ignored", reason: "nothing was paid" };
  return payments.sale(workspaceId, {
    customer,
    amount,
    currency: currency.toLowerCase(),
    eventName: "Purchase",
    invoiceId: str(order.confirmation_number) ?? orderId,
    payments: [orderId],
  });
}

/**
 * The money actually returned (the refund's successful `refund` transactions) includes tax and shipping, which the
 * sale does not: the sale loses the merchandise's share of it, Σ `refund_line_items[].subtotal` over that subtotal
 * plus its `total_tax` and the shipping refunded (`order_adjustments` of kind `shipping_refund`, amount and tax).
 * A refund of the calculated amount takes back exactly the line items' subtotal; one of less (a discrepancy) its
 * share. A refund with neither line items nor shipping (a custom amount) says nothing of its tax: taken as returned.
 */
async function refundCreated(payments: Payments, event: DueEvent, refund: Json): Promise<Outcome> {
  const refundId = idString(refund.id);
  const orderId = idString(refund.order_id);
  if (!refundId || !orderId) return { status: "ignored", reason: "not a refund" };
  const transactions = (Array.isArray(refund.transactions) ? refund.transactions : [])
    .map(object)
    .filter((t) => t.kind === "refund" && t.status === "success");
  const currency = str(transactions[0]?.currency);
  if (!currency) return { status: "ignored", reason: "no successful refund transaction" };
  let returned = 0;
  for (const transaction of transactions) returned += decimalToMinorUnits(transaction.amount, currency) ?? 0;
  if (returned <= 0) return { status: "ignored", reason: "nothing was returned" };
  const { merchandise, calculated } = refundBreakdown(refund, currency);
  const amount = calculated > 0 ? netShare(returned, merchandise, calculated) : returned;
  if (amount <= 0)
    return {
      status: "ignored",
      reason: "only shipping or tax was refunded: the sale counts neither (its subtotal is before both)",
    };
  return payments.refund(event.workspaceId, {
    payment: orderId,
    refundKey: refundId,
    amount,
    currency: currency.toLowerCase(),
    reason: str(refund.note),
  });
}

/** What the refund's own lines say it gives back: the merchandise before tax, and everything with tax and shipping. */
function refundBreakdown(refund: Json, currency: string) {
  const minor = (value: unknown) =>
    decimalToMinorUnits(
      typeof value === "string" ? value.replace(/^-/, "") : Math.abs(Number(value)),
      currency,
    ) ?? 0;
  let merchandise = 0;
  let calculated = 0;
  for (const line of (Array.isArray(refund.refund_line_items) ? refund.refund_line_items : []).map(object)) {
    const subtotal = minor(line.subtotal);
    merchandise += subtotal;
    calculated += subtotal + minor(line.total_tax);
  }
  for (const adjustment of (Array.isArray(refund.order_adjustments) ? refund.order_adjustments : []).map(
    object,
  ))
    if (adjustment.kind === "shipping_refund")
      calculated += minor(adjustment.amount) + minor(adjustment.tax_amount);
  return { merchandise, calculated };
}
