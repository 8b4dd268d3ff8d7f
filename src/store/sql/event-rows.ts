import type { Selectable } from "kysely";
import type { Attribution } from "../../domain/clicks/model.js";
import type { LeadEvent, PaymentProcessor, SaleEvent } from "../../domain/conversions/model.js";
import type { AttributionColumns, LeadEventRow, SaleEventRow } from "./schema.js";

const json = (text: string | null) => (text === null ? null : JSON.parse(text));

function attributionOf(row: Selectable<AttributionColumns>): Attribution {
  return {
    clickId: row.click_id,
    linkId: row.link_id,
    domain: row.domain,
    key: row.key,
    url: row.url,
    ip: row.ip,
    country: row.country,
    continent: row.continent,
    region: row.region,
    city: row.city,
    device: row.device,
    browser: row.browser,
    os: row.os,
    referer: row.referer,
    refererUrl: row.referer_url,
    qr: Boolean(Number(row.qr)),
    trigger: row.trigger,
    utmSource: row.utm_source,
    utmMedium: row.utm_medium,
    utmCampaign: row.utm_campaign,
    utmTerm: row.utm_term,
    utmContent: row.utm_content,
  };
}

export function leadEventOf(row: Selectable<LeadEventRow>): LeadEvent {
  return {
    ...attributionOf(row),
    id: row.id,
    workspaceId: row.workspace_id,
    customerId: row.customer_id,
    timestamp: Number(row.timestamp),
    eventName: row.event_name,
    metadata: json(row.metadata),
  };
}

export function saleEventOf(row: Selectable<SaleEventRow>): SaleEvent {
  return {
    ...attributionOf(row),
    id: row.id,
    workspaceId: row.workspace_id,
    customerId: row.customer_id,
    leadEventId: row.lead_event_id,
    timestamp: Number(row.timestamp),
    eventName: row.event_name,
    money: {
      amount: Number(row.amount),
      currency: row.currency,
      converted: Number(row.converted) === 1,
      originalAmount: Number(row.original_amount),
      originalCurrency: row.original_currency,
    },
    paymentProcessor: row.payment_processor as PaymentProcessor,
    invoiceId: row.invoice_id,
    metadata: json(row.metadata),
  };
}
