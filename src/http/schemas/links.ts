import { z } from "zod";
import { unprocessable } from "../../domain/errors.js";
import type { BulkCreateItem } from "../../domain/links/bulk-links.js";
import { COUNTRY_CODES } from "../../domain/links/country-codes.js";
import type { KeyOptions, LinkFilter, LinkInput, TagSelection } from "../../domain/links/model.js";
import {
  DOMAIN_PATTERN,
  hasUnreachableSegment,
  isAllowedDestination,
  isReservedKey,
  KEY_LENGTH,
  KEY_PATTERN,
  KEY_PREFIX_PATTERN,
  normaliseExternalId,
  PASSWORD_MAX_LENGTH,
  URL_MAX_LENGTH,
  UTM_MAX_LENGTH,
} from "../../domain/links/rules.js";
import type { SdkGeneration } from "../../wire/sdk-generation.js";
import { DUB_MESSAGE, describeIssue, isoDate, listOf, queryBoolean } from "./common.js";
import { tagSchema } from "./tags.js";

/** Dub's words for a URL it refuses; an absolute http(s) URL is required (`javascript:` and the like are not). */
const webUrl = (error: string, params?: Record<string, unknown>) =>
  z
    .string()
    .trim()
    .max(URL_MAX_LENGTH, { error: `Must be ${URL_MAX_LENGTH} or fewer characters long` })
    .refine(isAllowedDestination, { error, params });

/** The link's own destination: Dub answers its refusal with these words alone. */
const destinationUrl = webUrl("Invalid destination URL", DUB_MESSAGE);
/** Every other URL of a link (expiredUrl, ios, android, geo and test targets). */
const destination = webUrl("Invalid URL");

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
  url: destinationUrl,
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
    .regex(KEY_PATTERN, { error: "must not contain spaces, ?, #, % or \\" })
    .refine((key) => !hasUnreachableSegment(key), {
      error: "must not start or end with /, nor contain //, . or .. segments",
    })
    .optional(),
  prefix: z
    .string()
    .trim()
    .transform((prefix) => prefix.replace(/^\/+|\/+$/g, ""))
    .pipe(
      z
        .string()
        .max(KEY_LENGTH.max - KEY_LENGTH.min - 1)
        .regex(KEY_PREFIX_PATTERN, { error: "must not contain spaces, ?, #, % or \\" })
        .refine((prefix) => prefix === "" || !hasUnreachableSegment(prefix), {
          error: "must not contain //, . or .. segments",
        })
        .refine((prefix) => prefix === "" || !isReservedKey(`${prefix}/x`), {
          error: "must not start with a folder the server keeps for itself (api, app, track, …)",
        }),
    )
    .optional()
    .describe("A random key starts with it and a `/` (`c` gives `c/x7Hq2Ab`); ignored when key is given"),
  keyLength: z
    .number()
    .int()
    .min(KEY_LENGTH.min)
    .max(KEY_LENGTH.max)
    .optional()
    .describe(`The length of a random key (without prefix); ${KEY_LENGTH.default} unless given`),
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
  utm_source: text(UTM_MAX_LENGTH),
  utm_medium: text(UTM_MAX_LENGTH),
  utm_campaign: text(UTM_MAX_LENGTH),
  utm_term: text(UTM_MAX_LENGTH),
  utm_content: text(UTM_MAX_LENGTH),
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
  webhookIds: z
    .array(z.string().max(190))
    .max(100)
    .nullish()
    .describe(
      "Webhooks to send this link's events to: the link joins their linkIds (replacing the webhooks that named it; null for none)",
    ),
  proxy: z
    .boolean()
    .optional()
    .describe("Social crawlers get a preview page of title, description and image"),
  rewrite: z.boolean().optional().describe("The short link frames the destination instead of redirecting"),
  doIndex: z.boolean().optional().describe("Search engines may index the short link"),
});

export type LinkBody = z.infer<typeof linkBody>;

/** An update: the key options only make a new random key; `disabledAt` (an ISO date, or null) stops a link. */
export const linkPatchBody = linkBody
  .omit({ prefix: true, keyLength: true })
  .partial()
  .extend({
    disabledAt: isoDate
      .nullish()
      .describe("From then on the short link answers as if it did not exist; null enables it again"),
  });

/** As Dub reads them: `tagIds` (or the deprecated `tagId`) first, else `tagNames`. */
function tagSelectionOf(body: Partial<LinkBody>): TagSelection | undefined {
  if (body.tagIds !== undefined) return { ids: body.tagIds };
  if (typeof body.tagId === "string" && body.tagId !== "") return { ids: [body.tagId] };
  if (body.tagNames !== undefined) return { names: body.tagNames };
  return undefined;
}

/** How a random key is made, when the body asks for one. */
export const keyOptions = (body: Pick<LinkBody, "prefix" | "keyLength">): KeyOptions => ({
  keyPrefix: body.prefix || undefined,
  keyLength: body.keyLength,
});

/** Request fields → domain fields; `undefined` means "leave as is", `null` means "clear". */
export function toLinkInput(body: Partial<LinkBody> & { disabledAt?: number | null }): LinkInput {
  return {
    tags: tagSelectionOf(body),
    webhookIds: body.webhookIds === null ? [] : body.webhookIds,
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
    disabledAt: "disabledAt" in body ? body.disabledAt : undefined,
  };
}

/** Dub's deepest offset page of links; further on, its cursors. */
const MAX_LINKS_PAGE = 100;

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
  sortBy: z
    .enum(["createdAt", "clicks", "saleAmount", "lastClicked", "leads", "sales"])
    .default("createdAt")
    .describe("Dub's four orders; leads and sales are Clicktrail's own"),
  sortOrder: z.enum(["asc", "desc"]).default("desc"),
  page: z.coerce
    .number()
    .int()
    .min(1)
    .refine((page) => page <= MAX_LINKS_PAGE, {
      error: `Page is too big (cannot be more than ${MAX_LINKS_PAGE}), recommend using cursor-based pagination instead.`,
      params: DUB_MESSAGE,
    })
    .default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(100),
  startingAfter: z
    .string()
    .min(1)
    .optional()
    .describe("A link id: the page after it, in this order (no such link: an empty page)"),
  endingBefore: z
    .string()
    .min(1)
    .optional()
    .describe("A link id: the page before it, in this order (no such link: an empty page)"),
});

/** The deprecated `tagId` counts when `tagIds` is absent, as Dub reads them. */
export function toLinkFilter<Query extends { tagId?: string; tagIds?: string[] }>({
  tagId,
  ...query
}: Query): Omit<Query, "tagId"> & Pick<LinkFilter, "tagIds"> {
  return { ...query, tagIds: query.tagIds?.length ? query.tagIds : tagId ? [tagId] : undefined };
}

export const linkInfoQuery = z.object({
  domain: z.string().min(1, { error: "Domain is required." }).optional(),
  key: z.string().min(1, { error: "Key is required." }).optional(),
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
    identifier: z.null().describe("Always null: Clicktrail has no partner programs"),
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
    linkRetentionCleanupDisabledAt: z.null().describe("Always null: Clicktrail deletes no link for its age"),
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
    userId: z.string().nullable(),
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

/** `POST /links/bulk`: documented as an array of link bodies; the route reads each item on its own. */
export const linkBulkCreateBody = z
  .array(linkBody)
  .min(1)
  .max(100)
  .describe("Up to 100 links; an item that cannot be created is answered in its place as a LinkError");

const bulkIds = (what: string) =>
  z.array(z.string().max(255)).max(100, { error: `You can only ${what} up to 100 links at a time.` });

export const linkBulkUpdateBody = z.object({
  linkIds: bulkIds("update").optional().describe("The links to update; takes precedence over externalIds"),
  externalIds: bulkIds("update").optional().describe("The links to update, by their externalId"),
  data: linkPatchBody
    .omit({ domain: true, key: true, externalId: true, disabledAt: true })
    .describe("The fields every selected link gets; domain, key and externalId are not set in bulk"),
});

export const linkBulkDeleteQuery = z.object({
  linkIds: listOf.describe("Up to 100 link ids, comma-separated or repeated"),
});

export const linkErrorSchema = z
  .object({
    link: z.unknown().describe("The item as it was sent"),
    error: z.string(),
    code: z.enum([
      "bad_request",
      "unauthorized",
      "forbidden",
      "not_found",
      "conflict",
      "invite_expired",
      "unprocessable_entity",
      "rate_limit_exceeded",
      "internal_server_error",
    ]),
  })
  .meta({ id: "LinkError" });

export const linkCountQuery = linkListQuery
  .omit({
    sortBy: true,
    sortOrder: true,
    page: true,
    pageSize: true,
    startingAfter: true,
    endingBefore: true,
  })
  .extend({
    groupBy: z
      .enum(["domain", "tagId", "folderId", "userId"])
      .optional()
      .describe("Count per value instead of in total; the filter on that same dimension is ignored"),
  });

/** Dub's grouped counts: one `{<groupBy>: value, _count}` per value, most links first. */
export const linkCountSchema = z.union([
  z.number().int(),
  z.array(
    z.object({
      domain: z.string().optional(),
      tagId: z.string().optional(),
      folderId: z.string().nullable().optional(),
      userId: z.string().nullable().optional(),
      _count: z.number().int(),
    }),
  ),
]);

/** One item of a bulk create, read by the same rules as `POST /links`: the link it asks for, or why not. */
export function toBulkItem(input: unknown): BulkCreateItem {
  const parsed = linkBody.safeParse(input);
  if (!parsed.success) return { input, invalid: unprocessable(describeIssue(parsed.error.issues[0])) };
  return { input, link: { ...toLinkInput(parsed.data), url: parsed.data.url, ...keyOptions(parsed.data) } };
}

/** The switches the seed-era Go SDK sends as `false` on every update it makes, whether or not its caller set them. */
const SEED_DEFAULT_FALSE = ["trackConversion", "archived", "proxy", "rewrite", "doIndex"] as const;

/**
 * From the seed-era Go SDK such a `false` is read as "unchanged", so an update of a title cannot silently stop a
 * link's conversion tracking, unarchive it or switch off its preview, frame or indexing. (`true` is always meant.)
 */
export function withoutSeedDefaults<T extends Partial<Record<(typeof SEED_DEFAULT_FALSE)[number], boolean>>>(
  body: T,
  generation: SdkGeneration,
): T {
  if (generation !== "seed") return body;
  const kept = { ...body };
  for (const name of SEED_DEFAULT_FALSE) if (kept[name] === false) delete kept[name];
  return kept;
}
