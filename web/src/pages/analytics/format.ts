import type { Metric } from "./search";

const whole = new Intl.NumberFormat("en-US");
const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });
const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const usdCompact = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  notation: "compact",
  maximumFractionDigits: 1,
});
const percent = new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 1 });

export const formatCount = (value: number) => whole.format(value);
/** Compact above 999,999 only (Dub's rule): smaller numbers are read whole. */
export const formatCountShort = (value: number) =>
  value > 999_999 ? compact.format(value) : whole.format(value);
/** Amounts arrive in USD cents. */
export const formatCents = (cents: number) => usd.format(cents / 100);
export const formatCentsShort = (cents: number) =>
  cents >= 100_000_000 ? usdCompact.format(cents / 100) : usd.format(cents / 100);
export const formatPercent = (ratio: number) => percent.format(ratio);

export type Metrics = { clicks: number; leads: number; sales: number; saleAmount: number };

export const METRIC_LABELS: Record<Metric, string> = {
  clicks: "Clicks",
  leads: "Leads",
  sales: "Sales",
  revenue: "Revenue",
};

export const metricOf = (row: Metrics, metric: Metric) =>
  metric === "revenue" ? row.saleAmount : row[metric];

export const formatMetric = (value: number, metric: Metric) =>
  metric === "revenue" ? formatCents(value) : formatCount(value);

export const formatMetricShort = (value: number, metric: Metric) =>
  metric === "revenue" ? formatCentsShort(value) : formatCountShort(value);

const regions = (() => {
  try {
    return new Intl.DisplayNames(["en"], { type: "region" });
  } catch {
    return null;
  }
})();

/** "United States (US)" for "US"; the code itself when unknown. */
export function countryName(code: string): string {
  if (!/^[A-Z]{2}$/.test(code)) return code;
  const name = regions?.of(code);
  return name && name !== code ? `${name} (${code})` : code;
}

const CONTINENTS: Record<string, string> = {
  AF: "Africa",
  AN: "Antarctica",
  AS: "Asia",
  EU: "Europe",
  NA: "North America",
  OC: "Oceania",
  SA: "South America",
};

export const continentName = (code: string) => CONTINENTS[code] ?? code;

/** A date-time in the viewer's zone, with the UTC instant for a title attribute. */
export function formatDateTime(iso: string, timeZone: string): string {
  return new Date(iso).toLocaleString("en-US", {
    timeZone,
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}
