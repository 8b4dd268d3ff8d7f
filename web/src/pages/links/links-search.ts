import { oneOfParam, pageParam, textParam } from "../../app/search-params";

/** The links page's view in its URL, with the API's parameter names (so a view is a shareable address). */
export const LINK_SORTS = ["createdAt", "clicks", "leads", "sales", "saleAmount"] as const;
export type LinkSort = (typeof LINK_SORTS)[number];

export type LinksSearch = {
  search?: string;
  domain?: string;
  tagIds?: string;
  showArchived?: boolean;
  sortBy?: LinkSort;
  sortOrder?: "asc" | "desc";
  page?: number;
};

export function linksSearch(raw: Record<string, unknown>): LinksSearch {
  return {
    search: textParam(raw.search),
    domain: textParam(raw.domain),
    tagIds: textParam(raw.tagIds),
    showArchived: raw.showArchived === true || raw.showArchived === "true" ? true : undefined,
    sortBy: oneOfParam(LINK_SORTS, raw.sortBy),
    sortOrder: raw.sortOrder === "asc" ? "asc" : undefined,
    page: pageParam(raw.page),
  };
}
