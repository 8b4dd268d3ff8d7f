import type { EventKind } from "../domain/events/model.js";
import { csvField } from "./csv.js";
import type { PresentedEvent } from "./event.js";

const CLICK_COLUMNS = [
  "timestamp",
  "event",
  "click.id",
  "link.id",
  "link.domain",
  "link.key",
  "link.shortLink",
  "link.externalId",
  "link.tenantId",
  "click.url",
  "click.country",
  "click.city",
  "click.region",
  "click.continent",
  "click.device",
  "click.browser",
  "click.os",
  "click.ua",
  "click.trigger",
  "click.referer",
  "click.refererUrl",
  "click.qr",
  "click.ip",
];

const CONVERSION_COLUMNS = [
  "eventId",
  "eventName",
  "customer.id",
  "customer.externalId",
  "customer.name",
  "customer.email",
  "customer.avatar",
  "customer.country",
  "metadata",
];

const SALE_COLUMNS = ["sale.amount", "sale.currency", "sale.invoiceId", "sale.paymentProcessor"];

/** Export columns are JSON paths into the same event as GET /events presents it. */
export const EXPORT_COLUMNS: Record<EventKind, readonly string[]> = {
  clicks: CLICK_COLUMNS,
  leads: [...CLICK_COLUMNS, ...CONVERSION_COLUMNS],
  sales: [...CLICK_COLUMNS, ...CONVERSION_COLUMNS, ...SALE_COLUMNS],
};

export function exportFields(event: PresentedEvent, columns: readonly string[]): string[] {
  return columns.map((path) => {
    let value: unknown = event;
    for (const step of path.split(".")) {
      value = value === null || value === undefined ? undefined : (value as Record<string, unknown>)[step];
    }
    return csvField(value);
  });
}
