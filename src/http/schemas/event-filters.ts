import { z } from "zod";
import { parseMetadataQuery } from "../../domain/events/metadata-query.js";
import type { IdFilter, ValueFilter } from "../../domain/events/model.js";
import { INTERVALS, isTimeZone } from "../../domain/events/time-range.js";
import { queryBoolean } from "./common.js";

const text = z.string().optional();
const notSupported = (what: string) =>
  z
    .string()
    .optional()
    .refine((value) => value === undefined, { error: `${what} is not supported by Clicktrail` });

/**
 * Dub's filter on an event attribute: `a` (is), `a,b` (is one of), `-a` (is not), `-a,b` (is none of); the
 * parameter repeated is one of its values too. Undefined when it names no value.
 */
export function valueFilterOf(
  raw: string | string[] | undefined,
  options: { anyCase?: boolean } = {},
): ValueFilter | undefined {
  if (raw === undefined) return undefined;
  const text = Array.isArray(raw) ? raw.join(",") : raw;
  const exclude = !Array.isArray(raw) && text.startsWith("-");
  const values = (exclude ? text.slice(1) : text).split(",").filter((value) => value !== "");
  if (values.length === 0) return undefined;
  return { values: [...new Set(values)], exclude, ...(options.anyCase ? { anyCase: true } : {}) };
}

const valueFilter = (options: { anyCase?: boolean } = {}) =>
  z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((raw) => valueFilterOf(raw, options));

/** Time range and filters, as GET /analytics takes them. */
export const eventFilters = {
  interval: z.enum(INTERVALS).optional(),
  start: text,
  end: text,
  timezone: z.string().refine(isTimeZone, { error: "must be an IANA time zone" }).optional(),
  domain: text,
  key: text,
  linkId: text,
  externalId: text.describe("The link's externalId (with or without the ext_ prefix)"),
  tenantId: text,
  customerId: text,
  country: valueFilter(),
  city: valueFilter(),
  region: text,
  continent: valueFilter(),
  device: valueFilter({ anyCase: true }),
  browser: valueFilter({ anyCase: true }),
  os: valueFilter({ anyCase: true }),
  trigger: valueFilter(),
  referer: valueFilter(),
  refererUrl: valueFilter(),
  url: valueFilter(),
  utm_source: valueFilter(),
  utm_medium: valueFilter(),
  utm_campaign: valueFilter(),
  utm_term: valueFilter(),
  utm_content: valueFilter(),
  qr: queryBoolean.optional(),
  root: queryBoolean.optional(),
  tagId: text.describe(
    "Links with any of these tags: one id, several comma-separated, or prefixed with - for links with none of them",
  ),
  tagIds: text.describe("Deprecated: use tagId"),
  folderId: text.describe(
    "Links in any of these folders: one id, several comma-separated, or prefixed with - for links in none of them",
  ),
  groupId: text,
  partnerId: text,
  partnerTagId: text,
  programId: text,
  saleType: notSupported("saleType"),
  query: z
    .string()
    .optional()
    .transform((text, context) => {
      const parsed = text === undefined ? null : parseMetadataQuery(text);
      if (parsed === null) return undefined;
      if ("error" in parsed) {
        context.addIssue({ code: "custom", message: parsed.error });
        return z.NEVER;
      }
      return parsed.query;
    })
    .describe("Conditions on conversion metadata: metadata['key']:'value', joined by AND or by OR"),
};

type AbsentFeatureFilters = Partial<
  Record<"groupId" | "partnerId" | "partnerTagId" | "programId", string>
> & {
  root?: boolean;
};

/** Filters on link features Clicktrail has no part of (partners, root links): no link matches. */
export const filtersAbsentFeature = (query: AbsentFeatureFilters) =>
  query.root === true ||
  [query.groupId, query.partnerId, query.partnerTagId, query.programId].some(
    (value) => value !== undefined && value !== "",
  );

/**
 * Dub's filter syntax for ids: `a`, `a,b` (any of them) or `-a,b` (none of them); undefined when it names none.
 * `tagId` wins over the deprecated `tagIds`.
 */
export function idFilterOf(...values: (string | undefined)[]): IdFilter | undefined {
  const value = values.find((candidate) => candidate !== undefined && candidate.trim() !== "")?.trim();
  if (value === undefined) return undefined;
  const exclude = value.startsWith("-");
  const ids = value
    .split(",")
    .map((id) => id.trim().replace(/^-/, ""))
    .filter((id) => id !== "");
  return ids.length > 0 ? { ids: [...new Set(ids)], exclude } : undefined;
}
