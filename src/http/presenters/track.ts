import type { TrackedLead } from "../../domain/conversions/lead-service.js";
import type { Customer } from "../../domain/customers/model.js";
import { shortLinkOf } from "../../wire/link.js";

export const presentTrackCustomer = (customer: Customer) => ({
  id: customer.id,
  externalId: customer.externalId,
  name: customer.name,
  email: customer.email,
  avatar: customer.avatar,
});

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
