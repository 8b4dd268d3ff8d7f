import { z } from "zod";
import type { LinkInput } from "../../domain/links/model.js";
import {
  DOMAIN_PATTERN,
  isAllowedDestination,
  isDotSegment,
  KEY_PATTERN,
  normaliseExternalId,
} from "../../domain/links/rules.js";
import { isoDate, queryBoolean } from "./common.js";

const destination = z.string().trim().max(32_000).refine(isAllowedDestination, {
  error: "must be an absolute http:// or https:// URL",
});

const notSupported = (feature: string) =>
  z
    .unknown()
    .refine(
      (value) =>
        value === undefined ||
        value === null ||
        value === false ||
        (Array.isArray(value) && value.length === 0),
      { error: `${feature} is not supported by Clicktrail yet` },
    )
    .optional();

const text = (max: number) => z.string().max(max).nullish();

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
  password: notSupported("Password protection"),
  ios: notSupported("iOS targeting"),
  android: notSupported("Android targeting"),
  geo: notSupported("Geo targeting"),
  testVariants: notSupported("A/B testing"),
  tagIds: notSupported("Tags"),
  tagId: notSupported("Tags"),
  tagNames: notSupported("Tags"),
  folderId: notSupported("Folders"),
  proxy: notSupported("Custom link previews (proxy)"),
  rewrite: notSupported("Link cloaking (rewrite)"),
});

export type LinkBody = z.infer<typeof linkBody>;

export const linkPatchBody = linkBody.partial();

/** Request fields → domain fields; `undefined` means "leave as is", `null` means "clear". */
export function toLinkInput(body: Partial<LinkBody>): LinkInput {
  return {
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
  };
}

export const linkListQuery = z.object({
  domain: z.string().optional(),
  search: z.string().optional(),
  tenantId: z.string().optional(),
  externalId: z.string().optional(),
  showArchived: queryBoolean.optional(),
  sortBy: z.enum(["createdAt", "clicks", "saleAmount", "lastClicked"]).default("createdAt"),
  sortOrder: z.enum(["asc", "desc"]).default("desc"),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(100),
});

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
    password: z.null(),
    proxy: z.boolean(),
    title: nullableString,
    description: nullableString,
    image: nullableString,
    video: z.null(),
    rewrite: z.boolean(),
    doIndex: z.boolean(),
    ios: z.null(),
    android: z.null(),
    geo: z.null(),
    publicStats: z.boolean(),
    tags: z.array(z.object({ id: z.string(), name: z.string(), color: z.string() })),
    tagId: z.null(),
    folderId: z.null(),
    comments: nullableString,
    shortLink: z.string(),
    qrCode: z.string(),
    utm_source: nullableString,
    utm_medium: nullableString,
    utm_campaign: nullableString,
    utm_term: nullableString,
    utm_content: nullableString,
    testVariants: z.null(),
    testStartedAt: z.null(),
    testCompletedAt: z.null(),
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
