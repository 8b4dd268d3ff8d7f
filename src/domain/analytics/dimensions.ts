/** What events are grouped and filtered by; each is pre-aggregated in the rollups, `all` being every event. */
export const DIMENSIONS = [
  "continents",
  "countries",
  "regions",
  "cities",
  "devices",
  "browsers",
  "os",
  "referers",
  "referer_urls",
  "top_urls",
  "top_domains",
  "utm_sources",
  "utm_mediums",
  "utm_campaigns",
  "utm_terms",
  "utm_contents",
  "triggers",
] as const;

export type Dimension = (typeof DIMENSIONS)[number];

export type RollupDimension = Dimension | "all";

/** Dimensions an event may lack (a click without UTM parameters): no rollup row stands for "none". */
export const SPARSE_DIMENSIONS: ReadonlySet<Dimension> = new Set([
  "utm_sources",
  "utm_mediums",
  "utm_campaigns",
  "utm_terms",
  "utm_contents",
]);

/** Values of multi-part dimensions (regions: country, region; cities: country, region, city) are joined with a character no value holds. */
export const PART_SEPARATOR = "\u001f";

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
