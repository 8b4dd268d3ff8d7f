/**
 * The URL of the analytics and events pages: the API's own parameter names, so a view is a shareable link and
 * its filters go to GET /analytics and GET /events as they are.
 */
export const FILTERS = [
  { param: "linkId", label: "Link" },
  { param: "domain", label: "Domain" },
  { param: "key", label: "Key" },
  { param: "tagId", label: "Tag" },
  { param: "folderId", label: "Folder" },
  { param: "customerId", label: "Customer" },
  { param: "country", label: "Country" },
  { param: "region", label: "Region" },
  { param: "city", label: "City" },
  { param: "continent", label: "Continent" },
  { param: "device", label: "Device" },
  { param: "browser", label: "Browser" },
  { param: "os", label: "OS" },
  { param: "trigger", label: "Trigger" },
  { param: "referer", label: "Referrer" },
  { param: "refererUrl", label: "Referrer URL" },
  { param: "url", label: "Destination URL" },
  { param: "utm_source", label: "UTM source" },
  { param: "utm_medium", label: "UTM medium" },
  { param: "utm_campaign", label: "UTM campaign" },
  { param: "utm_term", label: "UTM term" },
  { param: "utm_content", label: "UTM content" },
] as const;

export type FilterParam = (typeof FILTERS)[number]["param"];

export const PRESET_INTERVALS = ["24h", "7d", "30d", "90d", "1y"] as const;
export type PresetInterval = (typeof PRESET_INTERVALS)[number];
export const DEFAULT_INTERVAL: PresetInterval = "30d";

export const METRICS = ["clicks", "leads", "sales", "revenue"] as const;
export type Metric = (typeof METRICS)[number];

export const EVENT_KINDS = ["clicks", "leads", "sales"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export type RangeSearch = { interval?: string; start?: string; end?: string; timezone?: string };
export type FilterSearch = Partial<Record<FilterParam, string>>;

export type InsightsSearch = RangeSearch &
  FilterSearch & {
    /** Analytics: the metric the chart and the breakdowns show. */
    metric?: Metric;
    /** Events: which table. */
    event?: EventKind;
    /** Events: the page, from 1. */
    page?: number;
  };

const TEXT_PARAMS = ["interval", "start", "end", "timezone", ...FILTERS.map((filter) => filter.param)];

/** validateSearch of /analytics and /events: known names only, values as the API reads them. */
export function validateInsightsSearch(search: Record<string, unknown>): InsightsSearch {
  const result: Record<string, unknown> = {};
  for (const name of TEXT_PARAMS) {
    const value = search[name];
    // The router parses `?utm_term=2025` as a number: it is the text the API gets either way.
    if (typeof value === "string" && value !== "") result[name] = value;
    else if (typeof value === "number" || typeof value === "boolean") result[name] = String(value);
  }
  if (METRICS.includes(search.metric as Metric)) result.metric = search.metric;
  if (EVENT_KINDS.includes(search.event as EventKind)) result.event = search.event;
  const page = Number(search.page);
  if (Number.isInteger(page) && page > 1) result.page = page;
  return result as InsightsSearch;
}

export function activeFilters(
  search: InsightsSearch,
): { param: FilterParam; label: string; value: string }[] {
  return FILTERS.flatMap((filter) => {
    const value = search[filter.param];
    return value ? [{ param: filter.param, label: filter.label, value }] : [];
  });
}

let viewerTimeZone: string | undefined;

/** The viewer's IANA time zone, unless the URL names one (a shared view keeps its zone). */
export function timeZoneOf(search: RangeSearch): string {
  // Asked on every render and request: a new DateTimeFormat each time was 45–76 ms of a profiled page load.
  viewerTimeZone ??= Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC";
  return search.timezone ?? viewerTimeZone;
}

/** The time range and filters as GET /analytics and GET /events take them. */
export function apiQueryOf(search: InsightsSearch): Record<string, string> {
  const query: Record<string, string> = { timezone: timeZoneOf(search) };
  if (search.start) {
    query.start = search.start;
    if (search.end) query.end = search.end;
  } else {
    query.interval = search.interval ?? DEFAULT_INTERVAL;
  }
  for (const { param, value } of activeFilters(search)) query[param] = value;
  return query;
}

/** The search with every filter removed; the time range, metric and table stay. */
export function withoutFilters(search: InsightsSearch): InsightsSearch {
  const next: Record<string, unknown> = { ...search };
  for (const filter of FILTERS) delete next[filter.param];
  delete next.page;
  return next as InsightsSearch;
}

const SPANS: Record<PresetInterval, number> = {
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
  "30d": 30 * 86_400_000,
  "90d": 90 * 86_400_000,
  "1y": 365 * 86_400_000,
};

/**
 * The period just before a preset range, as absolute instants (`now` rounded to the minute so the query key
 * holds still); null for a custom range, which has no comparison.
 */
export function previousPeriodOf(search: InsightsSearch, now: number): { start: string; end: string } | null {
  if (search.start) return null;
  const span = SPANS[(search.interval ?? DEFAULT_INTERVAL) as PresetInterval];
  if (span === undefined) return null;
  const end = Math.floor(now / 60_000) * 60_000 - span;
  return { start: new Date(end - span).toISOString(), end: new Date(end).toISOString() };
}
