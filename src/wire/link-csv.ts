import type { Link } from "../domain/links/model.js";
import { csvField, unguardedField } from "./csv.js";
import { presentLink } from "./link.js";

/**
 * The columns `clicktrail links export` writes, named and valued as in the link JSON; `tags` are the tag names
 * joined with `|`. `clicktrail links import` reads them back.
 */
export const LINK_EXPORT_COLUMNS = [
  "url",
  "domain",
  "key",
  "shortLink",
  "externalId",
  "tenantId",
  "title",
  "description",
  "image",
  "comments",
  "tags",
  "folderId",
  "utm_source",
  "utm_medium",
  "utm_campaign",
  "utm_term",
  "utm_content",
  "expiresAt",
  "expiredUrl",
  "archived",
  "trackConversion",
  "clicks",
  "leads",
  "sales",
  "saleAmount",
  "createdAt",
] as const;

/**
 * The columns `clicktrail links import` reads: a header row naming columns as the Link JSON names its keys. Any
 * other column (id, shortLink, clicks, createdAt, … of an export) is ignored. An empty cell is a key not sent.
 */
export const LINK_IMPORT_COLUMNS = [
  "url",
  "domain",
  "key",
  "externalId",
  "tenantId",
  "title",
  "description",
  "image",
  "comments",
  "tags",
  "tagIds",
  "folderId",
  "utm_source",
  "utm_medium",
  "utm_campaign",
  "utm_term",
  "utm_content",
  "expiresAt",
  "expiredUrl",
  "archived",
  "trackConversion",
] as const;

const TAG_SEPARATOR = "|";

/** A link's fields in `LINK_EXPORT_COLUMNS` order. */
export function linkCsvFields(link: Link, protocol: string): string[] {
  const json: Record<string, unknown> = {
    ...presentLink(link, protocol),
    tags: link.tags.map((tag) => tag.name).join(TAG_SEPARATOR),
  };
  return LINK_EXPORT_COLUMNS.map((column) => csvField(json[column]));
}

type Column = (typeof LINK_IMPORT_COLUMNS)[number];

const BOOLEAN_COLUMNS = new Set<Column>(["archived", "trackConversion"]);
const TRUE = new Set(["true", "1", "yes"]);
const FALSE = new Set(["false", "0", "no"]);

/** The header's columns, matched whatever their case, and those it has that are no Link key. */
export function linkCsvHeader(header: string[]): { columns: (Column | null)[]; ignored: string[] } {
  const columns = header.map(
    (name) =>
      LINK_IMPORT_COLUMNS.find((column) => column.toLowerCase() === name.trim().toLowerCase()) ?? null,
  );
  return { columns, ignored: header.filter((_, i) => columns[i] === null) };
}

/**
 * One record as the body of a link create (`POST /links`), or why it cannot be one. `tags` are tag names
 * separated by `|`, or a JSON array of names or of tag objects (`[{"id","name","color"}]`, the Link's own `tags`),
 * of which the names count; `tagIds` are ids the same way (of tag objects, their ids).
 */
export function linkBodyFromCsv(
  columns: (Column | null)[],
  fields: string[],
): { body: Record<string, unknown> } | { error: string } {
  const body: Record<string, unknown> = {};
  for (const [i, column] of columns.entries()) {
    const value = unguardedField(fields[i]?.trim() ?? "");
    if (column === null || value === "") continue;
    if (BOOLEAN_COLUMNS.has(column)) {
      const lower = value.toLowerCase();
      if (!TRUE.has(lower) && !FALSE.has(lower))
        return { error: `${column}: "${value}" is not true or false` };
      body[column] = TRUE.has(lower);
    } else if (column === "tags" || column === "tagIds") {
      const list = listCell(value, column === "tags" ? "name" : "id");
      if (list === null) return { error: `${column}: "${value}" is not a list of tags` };
      body[column === "tags" ? "tagNames" : "tagIds"] = list;
    } else body[column] = value;
  }
  if (fields.length > columns.length && fields.slice(columns.length).some((field) => field.trim() !== ""))
    return { error: `${fields.length} fields, but the header names ${columns.length} columns` };
  return { body };
}

/** Items separated by `|`, or a JSON array of strings or of objects whose `field` counts. */
function listCell(value: string, field: "name" | "id"): string[] | null {
  if (!value.startsWith("[")) return split(value);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed)) return null;
  const names = parsed.map((item) =>
    typeof item === "string" ? item : typeof item?.[field] === "string" ? (item[field] as string) : null,
  );
  return names.every((name): name is string => name !== null) ? names : null;
}

const split = (value: string) =>
  value
    .split(TAG_SEPARATOR)
    .map((item) => item.trim())
    .filter((item) => item !== "");
