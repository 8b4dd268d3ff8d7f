import type { EventFilter, EventKind, ValueFilter } from "../events/model.js";
import { type Dimension, type RollupDimension, SPARSE_DIMENSIONS } from "./dimensions.js";
import type { AnalyticsEvent } from "./model.js";
import { keyedByLink, type LinkScope, type Metric, type TallyQuery } from "./ports.js";

/** Filters on the link as it is now: answered from its per-link rollups. */
const LINK_FILTERS = ["linkId", "domain", "key", "externalId", "tenantId", "tags", "folders"] as const;

/** Event filters that name one rollup dimension's value; the others (city, region, customer, metadata) need the events. */
const DIMENSION_FILTERS: Partial<Record<keyof EventFilter, Dimension>> = {
  country: "countries",
  continent: "continents",
  device: "devices",
  browser: "browsers",
  os: "os",
  referer: "referers",
  refererUrl: "referer_urls",
  url: "top_urls",
  utmSource: "utm_sources",
  utmMedium: "utm_mediums",
  utmCampaign: "utm_campaigns",
  utmTerm: "utm_terms",
  utmContent: "utm_contents",
  trigger: "triggers",
};

const RAW_ONLY_FILTERS = ["city", "region", "customerId", "metadata"] as const;

export const KINDS: Record<AnalyticsEvent, EventKind[]> = {
  clicks: ["clicks"],
  leads: ["leads"],
  sales: ["sales"],
  composite: ["clicks", "leads", "sales"],
};

/** What a grouping's rows are ranked by (and which rows count as having events). */
export const RANKING: Record<AnalyticsEvent, Metric[]> = {
  clicks: ["clicks"],
  leads: ["leads"],
  sales: ["saleAmount", "sales"],
  composite: ["clicks", "leads", "saleAmount", "sales"],
};

export type Plan = {
  links: LinkScope | null;
  filter: EventFilter;
  /** The rollup rows that answer the query, or null when only the events can. */
  rollup: NonNullable<TallyQuery["rollup"]> | null;
  /** Whether hour rollups hold the rows needed (per-link rows exist by the hour only for `all`). */
  hourRollups: boolean;
};

/**
 * Rollups hold one dimension per row, so they answer a query that involves at most one dimension: the one it
 * groups by, or the one it filters on (or both, the same). Filters on two dimensions, or on a city, a region or
 * a customer, are answered from the events.
 */
export function planOf(key: TallyQuery["key"], filter: EventFilter): Plan {
  const links = pickLinkScope(filter);
  const eventFilter: EventFilter = Object.fromEntries(
    Object.entries(filter).filter(
      ([name, value]) => value !== undefined && !(LINK_FILTERS as readonly string[]).includes(name),
    ),
  );
  const perLink = links !== null || keyedByLink(key);
  const raw: Plan = { links, filter: eventFilter, rollup: null, hourRollups: false };
  if (RAW_ONLY_FILTERS.some((name) => eventFilter[name] !== undefined)) return raw;

  const conditions: ({ dimension: Dimension } & ValueFilter)[] = [];
  for (const [name, value] of Object.entries(eventFilter)) {
    if (name === "qr") conditions.push({ dimension: "triggers", exclude: value === false, values: ["qr"] });
    else if (name !== "absentFeature")
      conditions.push({
        dimension: DIMENSION_FILTERS[name as keyof EventFilter] as Dimension,
        ...(value as ValueFilter),
      });
  }
  const grouped = key === "none" || keyedByLink(key) ? null : key;
  if (conditions.length > 1) return raw;
  const condition = conditions.at(0);
  if (condition && grouped !== null && condition.dimension !== grouped) return raw;
  if (condition?.exclude && SPARSE_DIMENSIONS.has(condition.dimension)) return raw;
  const dimension: RollupDimension = condition?.dimension ?? grouped ?? "all";
  return {
    links,
    filter: eventFilter,
    rollup: {
      dimension,
      values: condition
        ? { exclude: condition.exclude, list: condition.values, anyCase: condition.anyCase === true }
        : null,
    },
    hourRollups: !perLink || dimension === "all",
  };
}

function pickLinkScope(filter: EventFilter): LinkScope | null {
  const scope: LinkScope = {};
  for (const name of LINK_FILTERS)
    if (filter[name] !== undefined) Object.assign(scope, { [name]: filter[name] });
  return Object.keys(scope).length > 0 ? scope : null;
}
