import type { Customer } from "../domain/customers/model.js";
import type { EventRecord } from "../domain/events/model.js";
import { type ClickFields, presentClick } from "./click.js";
import { presentCustomer } from "./customer.js";
import { iso } from "./iso.js";
import { presentLink } from "./link.js";
import type { SdkGeneration } from "./sdk-generation.js";

/** The flat fields of Dub's first events API, which the TypeScript SDK still requires. */
function deprecatedFields(clickId: string, linkId: string, context: ClickFields) {
  return {
    click_id: clickId,
    link_id: linkId,
    domain: context.domain,
    key: context.key,
    url: context.url,
    continent: context.continent,
    country: context.country,
    city: context.city,
    device: context.device,
    browser: context.browser,
    os: context.os,
    qr: context.qr ? 1 : 0,
    ip: context.ip,
  };
}

/** An event's customer, as Dub presents it there: without `firstSaleAt`, which Dub's event schema refuses as a string. */
function presentEventCustomer(customer: Customer) {
  const { firstSaleAt: _, ...rest } = presentCustomer(customer);
  return rest;
}

/** One item of GET /events, as Dub sends it: the ClickEvent, LeadEvent or SaleEvent of the SDKs. */
export function presentEvent(record: EventRecord, protocol: string, generation: SdkGeneration = "current") {
  const link = presentLink(record.link, protocol, generation);
  if (record.kind === "clicks") {
    const click = record.event;
    return {
      event: "click" as const,
      timestamp: iso(click.timestamp),
      click: presentClick(click.id, click.timestamp, click, click.ua),
      link,
      ...deprecatedFields(click.id, click.linkId, click),
    };
  }
  const event = record.event;
  const conversion = {
    timestamp: iso(event.timestamp),
    eventId: event.id,
    eventName: event.eventName,
    metadata: event.metadata,
    click: presentClick(event.clickId, event.timestamp, event, null),
    link,
    customer: presentEventCustomer(record.customer),
    ...deprecatedFields(event.clickId, event.linkId, event),
  };
  if (record.kind === "leads") return { event: "lead" as const, ...conversion };
  const sale = record.event;
  return {
    event: "sale" as const,
    ...conversion,
    sale: {
      amount: sale.money.amount,
      invoiceId: sale.invoiceId,
      paymentProcessor: sale.paymentProcessor,
      currency: sale.money.currency,
      // What the sale was sent in; the same as amount and currency unless a rate converted it (ADR 5).
      originalAmount: sale.money.originalAmount,
      originalCurrency: sale.money.originalCurrency,
    },
    saleAmount: sale.money.amount,
    // The SDK requires a string here, where `sale.invoiceId` is null.
    invoice_id: sale.invoiceId ?? "",
    payment_processor: sale.paymentProcessor,
  };
}

export type PresentedEvent = ReturnType<typeof presentEvent>;

// The keys of dub-go 0.9.7's event models, which later releases up to 0.13 also know, in the objects they decode
// strictly (ADR 16): any other key fails the whole list.
const DEPRECATED_KEYS = [
  "click_id",
  "link_id",
  "domain",
  "key",
  "url",
  "continent",
  "country",
  "city",
  "device",
  "browser",
  "os",
  "qr",
  "ip",
] as const;
const CLICK_EVENT_KEYS = ["event", "timestamp", "click", "link", ...DEPRECATED_KEYS] as const;
const LEAD_EVENT_KEYS = [...CLICK_EVENT_KEYS, "eventId", "eventName", "customer"] as const;
const SALE_EVENT_KEYS = [
  ...LEAD_EVENT_KEYS,
  "sale",
  "saleAmount",
  "invoice_id",
  "payment_processor",
] as const;
const CLICK_KEYS = [
  "id",
  "url",
  "continent",
  "country",
  "city",
  "device",
  "browser",
  "os",
  "referer",
  "refererUrl",
  "qr",
  "ip",
] as const;
const CUSTOMER_KEYS = ["id", "name", "email", "avatar"] as const;

/** Its `sale.paymentProcessor` is an enum of these three; any other value fails, an absent key does not. */
const SEED_PAYMENT_PROCESSORS: ReadonlySet<string> = new Set(["stripe", "shopify", "paddle"]);

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((key) => [key, source[key]])) as Pick<T, K>;
}

/** An item of GET /events as dub-go ≤ 0.13 decodes it: today's event without the keys it would reject. */
function presentSeedEvent(record: EventRecord, protocol: string) {
  const event = presentEvent(record, protocol, "seed");
  const click = pick(event.click, CLICK_KEYS);
  const { link } = event;
  if (event.event === "click") return { ...pick(event, CLICK_EVENT_KEYS), click, link };
  const customer = pick(event.customer, CUSTOMER_KEYS);
  if (event.event === "lead") return { ...pick(event, LEAD_EVENT_KEYS), click, link, customer };
  const { paymentProcessor, ...sale } = event.sale;
  return {
    ...pick(event, SALE_EVENT_KEYS),
    click,
    link,
    customer,
    sale: SEED_PAYMENT_PROCESSORS.has(paymentProcessor) ? event.sale : sale,
  };
}

type SeedEvent = ReturnType<typeof presentSeedEvent>;

/** GET /events's items in the shape the calling SDK generation decodes. */
export function presentEvents(
  records: EventRecord[],
  protocol: string,
  generation: "current",
): PresentedEvent[];
export function presentEvents(records: EventRecord[], protocol: string, generation: "seed"): SeedEvent[];
export function presentEvents(records: EventRecord[], protocol: string, generation: SdkGeneration) {
  const present = generation === "seed" ? presentSeedEvent : presentEvent;
  return records.map((record) => present(record, protocol));
}
