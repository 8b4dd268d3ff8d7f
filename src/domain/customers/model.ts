export type Customer = {
  id: string;
  workspaceId: string;
  externalId: string;
  name: string;
  email: string | null;
  avatar: string | null;
  country: string | null;
  clickId: string | null;
  linkId: string | null;
  clickedAt: number | null;
  sales: number;
  saleAmount: number;
  firstSaleAt: number | null;
  /** The Stripe customer (`cus_…`) a Stripe event linked to it first, if any. */
  stripeCustomerId: string | null;
  createdAt: number;
  updatedAt: number;
};

export type CustomerDetails = { name?: string | null; email?: string | null; avatar?: string | null };

/** What PATCH /customers/{id} may change; `undefined` leaves a field as it is. */
export type CustomerChanges = {
  name?: string;
  email?: string | null;
  avatar?: string | null;
  externalId?: string;
  country?: string | null;
  /** null unlinks the customer from its Stripe customer. */
  stripeCustomerId?: string | null;
};

export const CUSTOMER_SORTS = ["createdAt", "saleAmount", "firstSaleAt", "subscriptionCanceledAt"] as const;
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];

/** Dub's precedence: `email` over `externalId` over `search`. */
export type CustomerFilter = {
  email?: string;
  externalId?: string;
  search?: string;
  country?: string;
  linkId?: string;
  /** A filter on partner programs, which Clicktrail does not have: nothing matches. */
  absentFeature?: boolean;
};

export type CustomerListing = {
  filter: CustomerFilter;
  sortBy: CustomerSort;
  sortOrder: "asc" | "desc";
  pageSize: number;
  /** Where the page starts: an offset, or strictly after (or before) a customer in the sort order. */
  from: { offset: number } | { after: Customer } | { before: Customer };
};
