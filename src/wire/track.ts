import type { TrackedLead } from "../domain/conversions/lead-service.js";
import type { Money, SaleReceipt } from "../domain/conversions/model.js";
import type { SaleReceiptWriter } from "../domain/conversions/ports.js";
import type { Customer } from "../domain/customers/model.js";
import { shortLinkOf } from "./link.js";

export const presentTrackCustomer = (customer: Customer) => ({
  id: customer.id,
  externalId: customer.externalId,
  name: customer.name,
  email: customer.email,
  avatar: customer.avatar,
});

/** POST /track/click's answer; Clicktrail has no partner programs or discounts. */
export const presentTrackedClick = (clickId: string | null) => ({ clickId, partner: null, discount: null });

/** The union of every SDK generation's lead response: `customer.id` for the seed, `externalId` for today's. */
export function presentTrackedLead(lead: TrackedLead, protocol: string) {
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
    customer: presentTrackCustomer(lead.customer),
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
