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

const text = (value: unknown) =>
  typeof value === "string" && value !== "" ? value : typeof value === "number" ? String(value) : undefined;

export function linksSearch(raw: Record<string, unknown>): LinksSearch {
  const page = Number(raw.page);
  const sortBy = text(raw.sortBy);
  return {
    search: text(raw.search),
    domain: text(raw.domain),
    tagIds: text(raw.tagIds),
    showArchived: raw.showArchived === true || raw.showArchived === "true" ? true : undefined,
    sortBy: LINK_SORTS.includes(sortBy as LinkSort) ? (sortBy as LinkSort) : undefined,
    sortOrder: raw.sortOrder === "asc" ? "asc" : undefined,
    page: Number.isInteger(page) && page > 1 ? page : undefined,
  };
}
