import type { Link } from "../domain/links/model.js";
import { csvField } from "./csv.js";
import { presentLink } from "./link.js";

/**
 * The columns of a links CSV (`clicktrail links export`, read back by `clicktrail links import`), named and
 * valued as in the link JSON; `tags` are the tag names joined with `|`.
 */
export const LINK_CSV_COLUMNS = [
  "url",
  "domain",
  "key",
  "shortLink",
  "externalId",
  "tenantId",
  "title",
  "description",
  "comments",
  "tags",
  "folderId",
  "utm_source",
  "utm_medium",
  "utm_campaign",
  "utm_term",
  "utm_content",
  "expiresAt",
  "archived",
  "trackConversion",
  "clicks",
  "leads",
  "sales",
  "saleAmount",
  "createdAt",
] as const;

export const TAG_SEPARATOR = "|";

/** A link's fields in `LINK_CSV_COLUMNS` order. */
export function linkCsvFields(link: Link, protocol: string): string[] {
  const json: Record<string, unknown> = {
    ...presentLink(link, protocol),
    tags: link.tags.map((tag) => tag.name).join(TAG_SEPARATOR),
  };
  return LINK_CSV_COLUMNS.map((column) => csvField(json[column]));
}
