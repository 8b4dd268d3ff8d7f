import type { EventFilter, EventKind } from "../events/model.js";
import type { Dimension, RollupDimension } from "./dimensions.js";
import type { Metrics } from "./model.js";

/** Where a segment's counts come from: day or hour rollup rows, or the events themselves. */
export type Grain = "day" | "hour" | "raw";

/** [start, end) in epoch ms, counted into bucket `bucket`. Day and hour segments are aligned to UTC days and hours. */
export type Segment = { bucket: number; start: number; end: number; grain: Grain };

/** Filters on the event's link as it is now; a deleted link matches none. */
export type LinkScope = Pick<
  EventFilter,
  "linkId" | "domain" | "key" | "externalId" | "tenantId" | "tags" | "folders"
>;

export type Metric = "clicks" | "leads" | "sales" | "saleAmount";

export type TallyKey = "none" | "link" | "tag" | "folder" | Dimension;

/** Keys that count each link's events under something the link has (itself, its tags, its folder). */
export const keyedByLink = (key: TallyKey): key is "link" | "tag" | "folder" =>
  key === "link" || key === "tag" || key === "folder";

export type TallyQuery = {
  workspaceId: string;
  /** The event tables raw segments read; rollup segments count every kind. */
  kinds: EventKind[];
  /**
   * What a tally is keyed by: nothing (one total), the link id, a tag id (a link's counts go to each of its
   * tags), a folder id (links in no folder are left out), or a dimension's value.
   */
  key: TallyKey;
  /** Link filters; null: every link, and events of links deleted since. */
  links: LinkScope | null;
  /** Event filters, applied to raw segments. */
  filter: EventFilter;
  /** The rollup rows that stand for the events matching `filter` (absent when no segment reads rollups). */
  rollup?: {
    dimension: RollupDimension;
    values: { exclude: boolean; list: string[]; anyCase: boolean } | null;
  };
  segments: Segment[];
  /** Tallies are ordered by these metrics, largest first, then by key; by bucket when empty. */
  orderBy: Metric[];
  limit: number | null;
};

/** Sales in one currency that no exchange rate converted to USD, so revenue leaves them out. */
export type UnconvertedSales = { currency: string; sales: number; amount: number };

/** Counts per (bucket, key); `key` is the link id or the dimension's value ("" when keyed by nothing). */
export type Tally = Metrics & { bucket: number; key: string };

export interface AnalyticsStore {
  /** Sums the segments' counts per bucket and key, leaving out keys whose `orderBy` metrics are all zero. */
  tally(query: TallyQuery): Promise<Tally[]>;
  /**
   * Sales between `start` and `end` (epoch ms, inclusive) left unconverted (no exchange rate), per currency in
   * upper case, amounts in that currency's minor units; `linkId` narrows them to one link.
   */
  unconvertedSales(
    workspaceId: string,
    range: { start: number; end: number },
    linkId?: string,
  ): Promise<UnconvertedSales[]>;
  /** The start of the first UTC day with an event in the workspace, or null. */
  firstActivity(workspaceId: string): Promise<number | null>;
}
