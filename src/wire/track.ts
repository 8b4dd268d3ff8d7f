import type { TrackedLead } from "../domain/conversions/lead-service.js";
import type { Money, SaleReceipt } from "../domain/conversions/model.js";
import type { SaleReceiptWriter } from "../domain/conversions/ports.js";
import type { Customer } from "../domain/customers/model.js";
import { shortLinkOf } from "./link.js";
import type { SdkGeneration } from "./sdk-generation.js";

export const presentTrackCustomer = (customer: Customer) => ({
  id: customer.id,
  externalId: customer.externalId,
  name: customer.name,
  email: customer.email,
  avatar: customer.avatar,
});

/** POST /track/click's answer. Dub adds `partner` and `discount` only for a partner's link; Clicktrail has none. */
export const presentTrackedClick = (clickId: string | null) => ({ clickId });

/** The lead's customer as today's Dub answers it; the seed SDK also reads `customer.id` (dropped at dub-go 0.11.1). */
const presentLeadCustomer = (customer: Customer, generation: SdkGeneration) => {
  const { id, ...current } = presentTrackCustomer(customer);
  return generation === "seed" ? { id, ...current } : current;
};

export function presentTrackedLead(lead: TrackedLead, protocol: string, generation: SdkGeneration) {
  const link = lead.link;
  return {
    click: { id: lead.clickId },
    link: link && {
      id: link.id,
      domain: link.domain,
      key: link.key,
      shortLink: shortLinkOf(link, protocol),
      url: link.url,
      partnerId: null,
      programId: null,
      tenantId: link.tenantId,
      externalId: link.externalId,
    },
    customer: presentLeadCustomer(lead.customer, generation),
  };
}

/** The seed SDK's flat Track.Customer response, plus today's customer fields. */
export const presentTrackedCustomer = (customer: Customer) => ({
  customerId: customer.externalId,
  customerName: customer.name,
  customerEmail: customer.email,
  customerAvatar: customer.avatar,
  ...presentTrackCustomer(customer),
});

/** The sale response of every SDK generation: `customer` and `sale` are null when no sale was recorded. */
export function presentSaleReceipt({ eventName, recorded }: SaleReceipt) {
  return {
    eventName,
    customer: recorded && presentTrackCustomer(recorded.customer),
    sale: recorded && {
      amount: recorded.money.amount,
      currency: recorded.money.currency,
      paymentProcessor: recorded.paymentProcessor,
      invoiceId: recorded.invoiceId,
      metadata: recorded.metadata,
      ...originalOf(recorded.money),
    },
  };
}

/**
 * A sale converted to USD also carries what was sent (ADR 5); a sale in USD, or one no rate converted, answers
 * exactly Dub's keys. Every SDK's sale receipt ignores keys it does not know.
 */
const originalOf = (money: Money) =>
  money.currency === money.originalCurrency
    ? {}
    : { originalAmount: money.originalAmount, originalCurrency: money.originalCurrency };

export const saleReceipts: SaleReceiptWriter = {
  write: (receipt) => JSON.stringify(presentSaleReceipt(receipt)),
};
