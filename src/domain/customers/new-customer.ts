import type { ResolvedClick } from "../conversions/attribution.js";
import { prefixedId } from "../ids.js";
import type { Customer } from "./model.js";
import { randomCustomerName } from "./random-name.js";

export type CustomerIdentity = {
  workspaceId: string;
  externalId: string;
  name?: string | null;
  email?: string | null;
  avatar?: string | null;
};

/** A customer as it would be created now; the store keeps an existing one instead. */
export function newCustomer(identity: CustomerIdentity, now: number, click?: ResolvedClick): Customer {
  return {
    id: prefixedId("cus"),
    workspaceId: identity.workspaceId,
    externalId: identity.externalId,
    name: identity.name || identity.email || randomCustomerName(),
    email: identity.email || null,
    avatar: identity.avatar || null,
    country: click?.attribution.country ?? null,
    clickId: click?.attribution.clickId ?? null,
    linkId: click?.link.id ?? null,
    clickedAt: click?.clickedAt ?? null,
    sales: 0,
    saleAmount: 0,
    firstSaleAt: null,
    stripeCustomerId: null,
    createdAt: now,
    updatedAt: now,
  };
}
