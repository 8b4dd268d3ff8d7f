import type { Customer } from "../domain/customers/model.js";
import type { Link } from "../domain/links/model.js";
import { iso } from "./iso.js";
import { shortLinkOf } from "./link.js";

/** Dub's CustomerSchema: every key present, `null` for what Clicktrail does not track (subscriptions). */
export function presentCustomer(customer: Customer) {
  return {
    id: customer.id,
    name: customer.name,
    email: customer.email,
    avatar: customer.avatar,
    externalId: customer.externalId,
    stripeCustomerId: customer.stripeCustomerId,
    country: customer.country,
    sales: customer.sales,
    saleAmount: customer.saleAmount,
    createdAt: iso(customer.createdAt),
    firstSaleAt: iso(customer.firstSaleAt),
    subscriptionCanceledAt: null,
  };
}

/** With `includeExpandedFields`: the customer's referral link, and no partner program. */
export function presentExpandedCustomer(customer: Customer, link: Link | null, protocol: string) {
  return {
    ...presentCustomer(customer),
    link: link && {
      id: link.id,
      domain: link.domain,
      key: link.key,
      shortLink: shortLinkOf(link, protocol),
      url: link.url,
      programId: null,
    },
    programId: null,
    partner: null,
    discount: null,
  };
}
