import { z } from "zod";
import { PAYMENT_PROCESSORS } from "../../domain/conversions/model.js";
import { EVENT_KINDS, type EventFilter, type SortOrder } from "../../domain/events/model.js";
import { EXPORT_COLUMNS } from "../../wire/event-csv.js";
import { customerSchema } from "./customers.js";
import { eventFilters, filtersAbsentFeature, idFilterOf } from "./event-filters.js";
import { linkSchema } from "./links.js";

const order = z.enum(["asc", "desc"]).optional();
const eventSelection = {
  event: z.enum(EVENT_KINDS).default("clicks"),
  ...eventFilters,
  sortOrder: order,
  sortBy: z.enum(["timestamp"]).default("timestamp"),
  order: order.describe("Deprecated: use sortOrder"),
};

export const eventsQuery = z.object({
  ...eventSelection,
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const splitColumns = (columns: string | undefined) =>
  columns
    ?.split(",")
    .map((column) => column.trim())
    .filter(Boolean) ?? [];

export const eventsExportQuery = z
  .object({
    ...eventSelection,
    columns: z
      .string()
      .optional()
      .describe("Comma-separated columns (JSON paths of the event as GET /events has it); all when absent"),
  })
  .superRefine((query, context) => {
    const unknown = splitColumns(query.columns).filter(
      (column) => !EXPORT_COLUMNS[query.event].includes(column),
    );
    if (unknown.length > 0) {
      context.addIssue({
        code: "custom",
        path: ["columns"],
        message: `unknown ${query.event} columns: ${unknown.join(", ")}; available: ${EXPORT_COLUMNS[query.event].join(", ")}`,
      });
    }
  });

type EventSelection = z.infer<z.ZodObject<typeof eventSelection>>;

/**
 * The SDK always sends both `sortOrder` and the deprecated `order`, each defaulting to desc, so whichever
 * one asks for ascending order was set by the caller.
 */
const sortOrderOf = (query: EventSelection): SortOrder =>
  query.sortOrder === "asc" || query.order === "asc" ? "asc" : "desc";

export function toEventParams(query: EventSelection) {
  const filter: EventFilter = {
    domain: query.domain,
    key: query.key,
    linkId: query.linkId,
    externalId: query.externalId,
    tenantId: query.tenantId,
    tags: idFilterOf(query.tagId, query.tagIds),
    folders: idFilterOf(query.folderId),
    customerId: query.customerId,
    country: query.country,
    city: query.city,
    region: query.region,
    continent: query.continent,
    device: query.device,
    browser: query.browser,
    os: query.os,
    trigger: query.trigger,
    referer: query.referer,
    refererUrl: query.refererUrl,
    url: query.url,
    utmSource: query.utm_source,
    utmMedium: query.utm_medium,
    utmCampaign: query.utm_campaign,
    utmTerm: query.utm_term,
    utmContent: query.utm_content,
    qr: query.qr,
    metadata: query.query,
    absentFeature: filtersAbsentFeature(query) || undefined,
  };
  return {
    event: query.event,
    interval: query.interval,
    start: query.start,
    end: query.end,
    timezone: query.timezone,
    sortOrder: sortOrderOf(query),
    ...filter,
  };
}

export function exportColumns(event: keyof typeof EXPORT_COLUMNS, requested: string | undefined) {
  const columns = splitColumns(requested);
  return columns.length > 0 ? columns : EXPORT_COLUMNS[event];
}

const clickSchema = z.object({
  id: z.string(),
  timestamp: z.string(),
  url: z.string(),
  country: z.string(),
  city: z.string(),
  region: z.string(),
  continent: z.string(),
  device: z.string(),
  browser: z.string(),
  os: z.string(),
  ua: z.string().nullable(),
  trigger: z.string(),
  referer: z.string(),
  refererUrl: z.string(),
  qr: z.boolean(),
  ip: z.string(),
});

const deprecatedFields = {
  click_id: z.string(),
  link_id: z.string(),
  domain: z.string(),
  key: z.string(),
  url: z.string(),
  continent: z.string(),
  country: z.string(),
  city: z.string(),
  device: z.string(),
  browser: z.string(),
  os: z.string(),
  qr: z.number().describe("1 for a QR scan, else 0"),
  ip: z.string(),
};

const conversionFields = {
  timestamp: z.string(),
  eventId: z.string(),
  eventName: z.string(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  click: clickSchema,
  link: linkSchema,
  customer: customerSchema.omit({ firstSaleAt: true }),
  ...deprecatedFields,
};

export const clickEventSchema = z
  .object({
    event: z.literal("click"),
    timestamp: z.string(),
    click: clickSchema,
    link: linkSchema,
    ...deprecatedFields,
  })
  .meta({ id: "ClickEvent" });

export const leadEventSchema = z
  .object({ event: z.literal("lead"), ...conversionFields })
  .meta({ id: "LeadEvent" });

export const saleEventSchema = z
  .object({
    event: z.literal("sale"),
    ...conversionFields,
    sale: z.object({
      amount: z.number().int(),
      invoiceId: z.string().nullable(),
      paymentProcessor: z.enum(PAYMENT_PROCESSORS),
      currency: z.string(),
      originalAmount: z.number().int().describe("The amount as sent, in its currency's minor units"),
      originalCurrency: z.string().describe("The currency the sale was sent in"),
    }),
    saleAmount: z.number().int(),
    invoice_id: z.string(),
    payment_processor: z.string(),
  })
  .meta({ id: "SaleEvent" });

export const eventSchema = z.union([clickEventSchema, leadEventSchema, saleEventSchema]);
