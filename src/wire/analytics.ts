import type { Dimension } from "../domain/analytics/dimensions.js";
import type { AnalyticsResult, GroupRow, Metrics } from "../domain/analytics/model.js";
import { iso } from "./iso.js";
import { shortLinkOf } from "./link.js";
import { presentTag } from "./tag.js";

/** The SDKs' closed enums: a row outside them would make the whole response undecodable, so it is left out. */
const CONTINENTS = new Set(["AF", "AN", "AS", "EU", "NA", "OC", "SA"]);
const TRIGGERS = new Set(["qr", "link", "pageview", "deeplink"]);

const METRIC_FIELDS = ["clicks", "leads", "sales", "saleAmount"] as const;

/** Each grouping's fields, in Dub's names, before the metrics. */
const GROUP_FIELDS: Record<Dimension, (parts: string[]) => Record<string, string>> = {
  continents: ([continent]) => ({ continent }),
  countries: ([country]) => ({ country, region: "*", city: "*" }),
  regions: ([country, region]) => ({ country, region, city: "*" }),
  cities: ([country, region, city]) => ({ country, region, city }),
  devices: ([device]) => ({ device }),
  browsers: ([browser]) => ({ browser }),
  os: ([os]) => ({ os }),
  referers: ([referer]) => ({ referer }),
  referer_urls: ([refererUrl]) => ({ refererUrl }),
  top_urls: ([url]) => ({ url }),
  top_domains: ([domain]) => ({ domain }),
  utm_sources: ([value]) => ({ utm_source: value }),
  utm_mediums: ([value]) => ({ utm_medium: value }),
  utm_campaigns: ([value]) => ({ utm_campaign: value }),
  utm_terms: ([value]) => ({ utm_term: value }),
  utm_contents: ([value]) => ({ utm_content: value }),
  triggers: ([trigger]) => ({ trigger }),
};

const TOP_LINK_FIELDS = [
  "link",
  "id",
  "domain",
  "key",
  "shortLink",
  "url",
  "title",
  "comments",
  "folderId",
  "partnerId",
  "createdAt",
] as const;

const metrics = ({ clicks, leads, sales, saleAmount }: Metrics) => ({ clicks, leads, sales, saleAmount });

/** GET /analytics's body, as Dub sends it for the grouping (`saleAmount` in cents). */
export function presentAnalytics(result: AnalyticsResult, protocol: string) {
  switch (result.groupBy) {
    case "count":
      return metrics(result.total);
    case "timeseries":
      return result.buckets.map((bucket) => ({
        start: iso(bucket.start),
        ...metrics(bucket),
      }));
    case "top_links":
      return result.rows.map(({ link, ...counts }) => ({
        link: link.id,
        id: link.id,
        domain: link.domain,
        key: link.key,
        shortLink: shortLinkOf(link, protocol),
        url: link.url,
        title: link.title,
        comments: link.comments,
        folderId: link.folderId,
        partnerId: null,
        createdAt: iso(link.createdAt),
        ...metrics(counts),
      }));
    case "top_link_tags":
      return result.rows.map(({ tag, ...counts }) => ({
        tagId: tag.id,
        tag: presentTag(tag),
        ...metrics(counts),
      }));
    case "top_folders":
      return result.rows.map(({ folder, ...counts }) => ({
        folderId: folder.id,
        folder: { id: folder.id, name: folder.name },
        ...metrics(counts),
      }));
    case "top_base_urls":
      return result.rows.map(({ url, ...counts }) => ({ url, ...metrics(counts) }));
    default:
      return result.rows.filter(decodable(result.groupBy)).map((row) => ({
        ...GROUP_FIELDS[result.groupBy](row.parts),
        ...metrics(row),
      }));
  }
}

const decodable = (groupBy: Dimension) => (row: GroupRow) =>
  groupBy === "continents"
    ? CONTINENTS.has(row.parts[0])
    : groupBy === "triggers"
      ? TRIGGERS.has(row.parts[0])
      : true;

/** The CSV columns of a grouping: its fields, then the metrics. */
export function analyticsColumns(groupBy: AnalyticsResult["groupBy"]): string[] {
  if (groupBy === "count") return [...METRIC_FIELDS];
  if (groupBy === "timeseries") return ["start", ...METRIC_FIELDS];
  if (groupBy === "top_links") return [...TOP_LINK_FIELDS, ...METRIC_FIELDS];
  if (groupBy === "top_link_tags") return ["tagId", "tag", ...METRIC_FIELDS];
  if (groupBy === "top_folders") return ["folderId", "folder", ...METRIC_FIELDS];
  if (groupBy === "top_base_urls") return ["url", ...METRIC_FIELDS];
  return [...Object.keys(GROUP_FIELDS[groupBy](["", "", ""])), ...METRIC_FIELDS];
}
