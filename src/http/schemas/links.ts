import { z } from "zod";
import { COUNTRY_CODES } from "../../domain/links/country-codes.js";
import type { LinkFilter, LinkInput, TagSelection } from "../../domain/links/model.js";
import {
  DOMAIN_PATTERN,
  isAllowedDestination,
  isDotSegment,
  KEY_PATTERN,
  normaliseExternalId,
  PASSWORD_MAX_LENGTH,
} from "../../domain/links/rules.js";
import { isoDate, listOf, queryBoolean } from "./common.js";
import { tagSchema } from "./tags.js";

const destination = z.string().trim().max(32_000).refine(isAllowedDestination, {
  error: "must be an absolute http:// or https:// URL",
});

/** An empty string is no value, as Dub reads its optional strings. */
const emptyIsNull = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" ? null : value), schema.nullish());

const geo = z
  .record(z.string(), destination)
  .superRefine((targets, context) => {
    for (const code of Object.keys(targets)) {
      if (!COUNTRY_CODES.has(code)) {
        context.addIssue({
          code: "custom",
          path: [code],
          message: "must be an ISO 3166-1 alpha-2 country code in upper case (or XK)",
        });
      }
    }
  })
  .transform((targets) => (Object.keys(targets).length === 0 ? null : targets))
  .describe("Country code → destination for visitors from that country");

const testVariants = z
  .array(z.object({ url: destination, percentage: z.number().min(10).max(90) }))
  .min(2)
  .max(4)
  // Fractions such as 33.3 + 33.3 + 33.4 add up to 100 only within a rounding error.
  .refine(
    (variants) => Math.abs(variants.reduce((sum, variant) => sum + variant.percentage, 0) - 100) < 1e-9,
    {
      error: "the percentages of the test variants must add up to 100",
    },
  )
  .describe("A/B test: 2 to 4 destinations, each with 10–90 % of the visitors, 100 % in all");

const text = (max: number) => z.string().max(max).nullish();

const ids = listOf.pipe(z.array(z.string().max(190)).max(100));

export const linkBody = z.object({
  url: destination,
  domain: z
    .string()
    .trim()
    .toLowerCase()
    .max(190)
    .regex(DOMAIN_PATTERN, { error: "must be a host name" })
    .optional(),
  key: z
    .string()
    .trim()
    .min(1)
    .max(190)
    .regex(KEY_PATTERN, { error: "must not contain spaces, /, ?, #, % or \\" })
    .refine((key) => !isDotSegment(key), { error: "must not be . or .." })
    .optional(),
  externalId: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .refine((value) => normaliseExternalId(value) !== "", {
      error: "must not be empty after its ext_ prefix",
    })
    .nullish(),
  tenantId: text(255),
  trackConversion: z.boolean().optional(),
  archived: z.boolean().optional(),
  expiresAt: isoDate.nullish(),
  expiredUrl: destination.nullish(),
  title: text(500),
  description: text(2000),
  image: text(32_000),
  comments: text(10_000),
  utm_source: text(190),
  utm_medium: text(190),
  utm_campaign: text(190),
  utm_term: text(190),
  utm_content: text(190),
  password: emptyIsNull(z.string().max(PASSWORD_MAX_LENGTH)).describe(
    "Visitors must enter it before they are sent on",
  ),
  ios: emptyIsNull(destination).describe("Destination for iOS devices"),
  android: emptyIsNull(destination).describe("Destination for Android devices"),
  geo: geo.nullish(),
  testVariants: testVariants.nullish(),
  testStartedAt: isoDate.nullish(),
  testCompletedAt: isoDate.nullish(),
  tagIds: ids.optional().describe("The ids of the link's tags (replacing those it has)"),
  tagId: z.string().max(190).nullish().describe("Deprecated: use tagIds"),
  tagNames: ids
    .optional()
    .describe("The names of the link's tags, whatever their case, when tagIds is absent"),
  folderId: z
    .string()
    .trim()
    .max(190)
    .nullish()
    .transform((id) => (id === "" ? null : id))
    .describe("The folder the link is in; null for none"),
  proxy: z
    .boolean()
    .optional()
    .describe("Social crawlers get a preview page of title, description and image"),
  rewrite: z.boolean().optional().describe("The short link frames the destination instead of redirecting"),
  doIndex: z.boolean().optional().describe("Search engines may index the short link"),
});

export type LinkBody = z.infer<typeof linkBody>;

export const linkPatchBody = linkBody.partial();

/** As Dub reads them: `tagIds` (or the deprecated `tagId`) first, else `tagNames`. */
function tagSelectionOf(body: Partial<LinkBody>): TagSelection | undefined {
  if (body.tagIds !== undefined) return { ids: body.tagIds };
  if (typeof body.tagId === "string" && body.tagId !== "") return { ids: [body.tagId] };
  if (body.tagNames !== undefined) return { names: body.tagNames };
  return undefined;
}

/** Request fields → domain fields; `undefined` means "leave as is", `null` means "clear". */
export function toLinkInput(body: Partial<LinkBody>): LinkInput {
  return {
    tags: tagSelectionOf(body),
    folderId: body.folderId,
    url: body.url,
    domain: body.domain,
    key: body.key,
    externalId: body.externalId,
    tenantId: body.tenantId,
    trackConversion: body.trackConversion,
    archived: body.archived,
    expiresAt: body.expiresAt,
    expiredUrl: body.expiredUrl,
    title: body.title,
    description: body.description,
    image: body.image,
    comments: body.comments,
    utmSource: body.utm_source,
    utmMedium: body.utm_medium,
    utmCampaign: body.utm_campaign,
    utmTerm: body.utm_term,
    utmContent: body.utm_content,
    password: body.password,
    proxy: body.proxy,
    rewrite: body.rewrite,
    doIndex: body.doIndex,
    ios: body.ios,
    android: body.android,
    geo: body.geo,
    testVariants: body.testVariants,
    testStartedAt: body.testStartedAt,
    testCompletedAt: body.testCompletedAt,
  };
}

export const linkListQuery = z.object({
  domain: z.string().optional(),
  search: z.string().optional(),
  tenantId: z.string().optional(),
  externalId: z.string().optional(),
  showArchived: queryBoolean.optional(),
  tagId: z.string().optional().describe("Deprecated: use tagIds"),
  tagIds: listOf.optional().describe("Links with any of these tags"),
  tagNames: listOf.optional().describe("Links with a tag of any of these names, whatever their case"),
  folderId: z.string().optional(),
  withTags: queryBoolean.optional().describe("Only links with at least one tag"),
  sortBy: z.enum(["createdAt", "clicks", "saleAmount", "lastClicked"]).default("createdAt"),
  sortOrder: z.enum(["asc", "desc"]).default("desc"),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(100),
});

/** The deprecated `tagId` counts when `tagIds` is absent, as Dub reads them. */
export function toLinkFilter({ tagId, ...query }: z.infer<typeof linkListQuery>): LinkFilter {
  return { ...query, tagIds: query.tagIds?.length ? query.tagIds : tagId ? [tagId] : undefined };
}

export const linkInfoQuery = z.object({
  domain: z.string().optional(),
  key: z.string().optional(),
  linkId: z.string().optional(),
  externalId: z.string().optional(),
});

const nullableString = z.string().nullable();

export const linkSchema = z
  .object({
    id: z.string(),
    domain: z.string(),
    key: z.string(),
    url: z.string(),
    trackConversion: z.boolean(),
    externalId: nullableString,
    tenantId: nullableString,
    programId: z.null(),
    partnerId: z.null(),
    archived: z.boolean(),
    expiresAt: nullableString,
    expiredUrl: nullableString,
    disabledAt: nullableString,
    password: nullableString.describe("Shown to the link's owner, as Dub does"),
    proxy: z.boolean(),
    title: nullableString,
    description: nullableString,
    image: nullableString,
    video: z.null(),
    rewrite: z.boolean(),
    doIndex: z.boolean(),
    ios: nullableString,
    android: nullableString,
    geo: z.record(z.string(), z.string()).nullable(),
    publicStats: z.boolean(),
    tags: z.array(tagSchema),
    tagId: nullableString.describe("Deprecated: the first of tags"),
    folderId: nullableString,
    comments: nullableString,
    shortLink: z.string(),
    qrCode: z.string(),
    utm_source: nullableString,
    utm_medium: nullableString,
    utm_campaign: nullableString,
    utm_term: nullableString,
    utm_content: nullableString,
    testVariants: z.array(z.object({ url: z.string(), percentage: z.number() })).nullable(),
    testStartedAt: nullableString,
    testCompletedAt: nullableString,
    userId: z.null(),
    workspaceId: z.string(),
    projectId: z.string(),
    webhookIds: z.array(z.string()),
    clicks: z.number(),
    leads: z.number(),
    conversions: z.number(),
    sales: z.number(),
    saleAmount: z.number().describe("USD cents"),
    lastClicked: nullableString,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "Link" });
