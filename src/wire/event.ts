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
    customer: presentCustomer(record.customer),
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
    },
    saleAmount: sale.money.amount,
    // The SDK requires a string here, where `sale.invoiceId` is null.
    invoice_id: sale.invoiceId ?? "",
    payment_processor: sale.paymentProcessor,
  };
}

export type PresentedEvent = ReturnType<typeof presentEvent>;
