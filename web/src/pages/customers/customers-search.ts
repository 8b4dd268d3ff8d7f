import { oneOfParam, pageParam, textParam } from "../../app/search-params";

/** The customers list's view in its URL, with the API's parameter names. */
export const CUSTOMER_SORTS = ["createdAt", "saleAmount", "firstSaleAt"] as const;
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];

export type CustomersSearch = { search?: string; sortBy?: CustomerSort; sortOrder?: "asc"; page?: number };

export function customersSearch(raw: Record<string, unknown>): CustomersSearch {
  return {
    search: textParam(raw.search),
    sortBy: oneOfParam(CUSTOMER_SORTS, raw.sortBy),
    sortOrder: raw.sortOrder === "asc" ? "asc" : undefined,
    page: pageParam(raw.page),
  };
}
