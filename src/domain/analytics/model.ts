import type { EventFilter } from "../events/model.js";
import type { Interval } from "../events/time-range.js";
import type { LinkTag } from "../tags/model.js";
import type { Dimension } from "./dimensions.js";

export const ANALYTICS_EVENTS = ["clicks", "leads", "sales", "composite"] as const;
export type AnalyticsEvent = (typeof ANALYTICS_EVENTS)[number];

export const GROUP_BYS = [
  "count",
  "timeseries",
  "continents",
  "regions",
  "countries",
  "cities",
  "devices",
  "browsers",
  "os",
  "trigger",
  "triggers",
  "referers",
  "referer_urls",
  "top_links",
  "top_link_tags",
  "top_folders",
  "top_urls",
  "top_base_urls",
  "top_domains",
  "utm_sources",
  "utm_mediums",
  "utm_campaigns",
  "utm_terms",
  "utm_contents",
] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

export type AnalyticsParams = EventFilter & {
  event: AnalyticsEvent;
  groupBy: GroupBy;
  interval?: Interval;
  start?: string;
  end?: string;
  timezone?: string;
};

export type Metrics = { clicks: number; leads: number; sales: number; saleAmount: number };

export type Granularity = "hour" | "day" | "month";

/** A grouping's value: one part per field (cities: country, region, city). */
export type GroupRow = Metrics & { parts: string[] };

export type TopLinkRow = Metrics & {
  link: {
    id: string;
    domain: string;
    key: string;
    url: string;
    title: string | null;
    comments: string | null;
    folderId: string | null;
    createdAt: number;
  };
};

export type TopTagRow = Metrics & { tag: LinkTag };

export type TopFolderRow = Metrics & { folder: { id: string; name: string } };

/** A destination URL without its query string and fragment. */
export type BaseUrlRow = Metrics & { url: string };

export type AnalyticsResult =
  | { groupBy: "count"; total: Metrics }
  | { groupBy: "timeseries"; granularity: Granularity; buckets: (Metrics & { start: number })[] }
  | { groupBy: "top_links"; rows: TopLinkRow[] }
  | { groupBy: "top_link_tags"; rows: TopTagRow[] }
  | { groupBy: "top_folders"; rows: TopFolderRow[] }
  | { groupBy: "top_base_urls"; rows: BaseUrlRow[] }
  | { groupBy: Dimension | "regions"; rows: GroupRow[] };
