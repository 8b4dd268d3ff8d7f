import { z } from "zod";
import { ANALYTICS_EVENTS, type AnalyticsParams, GROUP_BYS } from "../../domain/analytics/model.js";
import { eventFilters, filtersAbsentFeature, idFilterOf } from "./event-filters.js";
import { tagSchema } from "./tags.js";

export const analyticsQuery = z.object({
  event: z.enum(ANALYTICS_EVENTS).default("clicks"),
  groupBy: z.enum(GROUP_BYS).default("count"),
  ...eventFilters,
});

type AnalyticsQuery = z.infer<typeof analyticsQuery>;

export function toAnalyticsParams(query: AnalyticsQuery): AnalyticsParams {
  const { utm_source, utm_medium, utm_campaign, utm_term, utm_content, root, saleType, ...rest } = query;
  const params: AnalyticsParams = {
    event: rest.event,
    groupBy: rest.groupBy,
    interval: rest.interval,
    start: rest.start,
    end: rest.end,
    timezone: rest.timezone,
    domain: rest.domain,
    key: rest.key,
    linkId: rest.linkId,
    externalId: rest.externalId,
    tenantId: rest.tenantId,
    tags: idFilterOf(rest.tagId, rest.tagIds),
    folders: idFilterOf(rest.folderId),
    customerId: rest.customerId,
    country: rest.country,
    city: rest.city,
    region: rest.region,
    continent: rest.continent,
    device: rest.device,
    browser: rest.browser,
    os: rest.os,
    trigger: rest.trigger,
    referer: rest.referer,
    refererUrl: rest.refererUrl,
    url: rest.url,
    utmSource: utm_source,
    utmMedium: utm_medium,
    utmCampaign: utm_campaign,
    utmTerm: utm_term,
    utmContent: utm_content,
    qr: rest.qr,
    metadata: rest.query,
    absentFeature: filtersAbsentFeature(query) || undefined,
  };
  return Object.fromEntries(
    Object.entries(params).filter(([, value]) => value !== undefined),
  ) as AnalyticsParams;
}

const metrics = {
  clicks: z.number().int(),
  leads: z.number().int(),
  sales: z.number().int(),
  saleAmount: z.number().int().describe("USD cents"),
};

const row = (fields: Record<string, z.ZodType>) => z.array(z.object({ ...fields, ...metrics }));

export const analyticsResponse = z
  .union([
    z.object(metrics).meta({ id: "AnalyticsCount" }),
    row({ start: z.string() }).meta({ id: "AnalyticsTimeseries" }),
    row({
      link: z.string(),
      id: z.string(),
      domain: z.string(),
      key: z.string(),
      shortLink: z.string(),
      url: z.string(),
      title: z.string().nullable(),
      comments: z.string().nullable(),
      folderId: z.string().nullable(),
      partnerId: z.string().nullable(),
      createdAt: z.string(),
    }).meta({ id: "AnalyticsTopLinks" }),
    row({
      tagId: z.string(),
      tag: tagSchema,
    }).meta({ id: "AnalyticsTopLinkTags" }),
    row({ folderId: z.string(), folder: z.object({ id: z.string(), name: z.string() }) }).meta({
      id: "AnalyticsTopFolders",
    }),
    row({ country: z.string(), region: z.string(), city: z.string() }).meta({ id: "AnalyticsLocations" }),
    ...[
      "continent",
      "device",
      "browser",
      "os",
      "trigger",
      "referer",
      "refererUrl",
      "url",
      "domain",
      "utm_source",
      "utm_medium",
      "utm_campaign",
      "utm_term",
      "utm_content",
    ].map((field) => row({ [field]: z.string() })),
  ])
  .describe("The counts, as the grouping asks: one object for count, else an array");
