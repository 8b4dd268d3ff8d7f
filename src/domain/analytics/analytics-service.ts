import type { Clock } from "../clock.js";
import type { EventFilter } from "../events/model.js";
import { type Interval, resolveRange } from "../events/time-range.js";
import type { FolderStore } from "../folders/ports.js";
import { ReadableFolders } from "../folders/readable-folders.js";
import type { LinkStore } from "../links/ports.js";
import { normaliseExternalId } from "../links/rules.js";
import type { TagStore } from "../tags/ports.js";
import type { Principal } from "../workspaces/model.js";
import { bucketsOf, granularityOf } from "./buckets.js";
import { DAY_MS, type Dimension, PART_SEPARATOR } from "./dimensions.js";
import type {
  AnalyticsEvent,
  AnalyticsParams,
  AnalyticsResult,
  BaseUrlRow,
  GroupBy,
  Metrics,
} from "./model.js";
import { KINDS, planOf, RANKING } from "./plan.js";
import type { AnalyticsStore, Tally, TallyQuery } from "./ports.js";
import { segmentsOf } from "./segments.js";

/** Rows of a grouping beyond this many (by the event's ranking) are left out. */
export const TOP_LIMIT = 1_000;

const ZERO: Metrics = { clicks: 0, leads: 0, sales: 0, saleAmount: 0 };

export class AnalyticsService {
  private readonly readable: ReadableFolders;

  constructor(
    private readonly store: AnalyticsStore,
    private readonly links: LinkStore,
    private readonly tags: Pick<TagStore, "findByIds">,
    private readonly folders: Pick<FolderStore, "findByIds" | "list" | "rolesOf">,
    private readonly clock: Clock,
  ) {
    this.readable = new ReadableFolders(folders, links);
  }

  /** Sales of the interval that no exchange rate converted to USD, per currency: not in any `saleAmount`. */
  unconvertedSales(principal: Principal, { interval, linkId }: { interval: Interval; linkId?: string }) {
    return this.store.unconvertedSales(
      principal.workspaceId,
      resolveRange({ interval }, this.clock.now()),
      linkId,
    );
  }

  async retrieve(principal: Principal, params: AnalyticsParams): Promise<AnalyticsResult> {
    const { event, groupBy: requested, interval, start, end, timezone, ...rawFilter } = params;
    const groupBy: Exclude<GroupBy, "trigger"> = requested === "trigger" ? "triggers" : requested;
    const zone = timezone || "UTC";
    const workspaceId = principal.workspaceId;
    const range = resolveRange({ interval, start, end, timezone: zone }, this.clock.now());
    const until = range.end + 1;
    const from =
      start || (interval ?? "24h") !== "all"
        ? range.start
        : Math.min(until - 1, (await this.store.firstActivity(workspaceId)) ?? until - DAY_MS);
    const granularity = granularityOf(from, until);
    const buckets =
      groupBy === "timeseries"
        ? bucketsOf(from, until, granularity, zone)
        : [{ label: from, start: from, end: until }];

    const filter = normalise(rawFilter);
    filter.folders = await this.readable.bound(principal, filter);
    const key = tallyKeyOf(groupBy);
    // Base URLs are summed from the full URLs' rows, every one of them, before the cut.
    const limit = groupBy === "top_base_urls" ? null : TOP_LIMIT;
    const tallies = filter.absentFeature
      ? []
      : await this.tally(workspaceId, event, key, filter, buckets, limit);
    const zeroed = (tally: Metrics) => only(event, tally);

    switch (groupBy) {
      case "count":
        return { groupBy, total: zeroed(tallies[0] ?? ZERO) };
      case "timeseries": {
        const byBucket = new Map(tallies.map((tally) => [tally.bucket, tally]));
        return {
          groupBy,
          granularity,
          buckets: buckets.map((bucket, index) => ({
            start: bucket.label,
            ...zeroed(byBucket.get(index) ?? ZERO),
          })),
        };
      }
      case "top_links": {
        const links = new Map(
          (
            await this.links.findByIds(
              workspaceId,
              tallies.map((tally) => tally.key),
            )
          ).map((link) => [link.id, link]),
        );
        return {
          groupBy,
          rows: tallies.flatMap((tally) => {
            const link = links.get(tally.key);
            return link ? [{ ...zeroed(tally), link }] : [];
          }),
        };
      }
      case "top_link_tags": {
        const tags = new Map(
          (
            await this.tags.findByIds(
              workspaceId,
              tallies.map((tally) => tally.key),
            )
          ).map((tag) => [tag.id, tag]),
        );
        return {
          groupBy,
          rows: tallies.flatMap((tally) => {
            const tag = tags.get(tally.key);
            return tag ? [{ ...zeroed(tally), tag: { id: tag.id, name: tag.name, color: tag.color } }] : [];
          }),
        };
      }
      case "top_folders": {
        const folders = new Map(
          (
            await this.folders.findByIds(
              workspaceId,
              tallies.map((tally) => tally.key),
            )
          ).map((folder) => [folder.id, folder]),
        );
        return {
          groupBy,
          rows: tallies.flatMap((tally) => {
            const folder = folders.get(tally.key);
            return folder ? [{ ...zeroed(tally), folder: { id: folder.id, name: folder.name } }] : [];
          }),
        };
      }
      case "top_base_urls":
        return { groupBy, rows: byBaseUrl(tallies, event).map((row) => ({ ...row, ...zeroed(row) })) };
      default:
        return {
          groupBy,
          rows: tallies.map((tally) => ({ ...zeroed(tally), parts: tally.key.split(PART_SEPARATOR) })),
        };
    }
  }

  private tally(
    workspaceId: string,
    event: AnalyticsEvent,
    key: TallyQuery["key"],
    filter: EventFilter,
    buckets: { start: number; end: number }[],
    limit: number | null = TOP_LIMIT,
  ): Promise<Tally[]> {
    const plan = planOf(key, filter);
    const segments = segmentsOf(
      buckets,
      plan.rollup ? { day: true, hour: plan.hourRollups } : { day: false, hour: false },
    );
    const ranked = key !== "none";
    return this.store.tally({
      workspaceId,
      kinds: KINDS[event],
      key,
      links: plan.links,
      filter: plan.filter,
      ...(plan.rollup ? { rollup: plan.rollup } : {}),
      segments,
      orderBy: ranked ? RANKING[event] : [],
      limit: ranked ? limit : null,
    });
  }
}

const LINK_KEYS = { top_links: "link", top_link_tags: "tag", top_folders: "folder" } as const;

function tallyKeyOf(groupBy: Exclude<GroupBy, "trigger">): TallyQuery["key"] {
  if (groupBy === "count" || groupBy === "timeseries") return "none";
  if (groupBy === "top_base_urls") return "top_urls";
  return groupBy in LINK_KEYS ? LINK_KEYS[groupBy as keyof typeof LINK_KEYS] : (groupBy as Dimension);
}

/** The full URLs' counts summed per URL without query string or fragment, ranked as the event ranks them. */
function byBaseUrl(tallies: Tally[], event: AnalyticsEvent): BaseUrlRow[] {
  const rows = new Map<string, BaseUrlRow>();
  for (const tally of tallies) {
    const url = baseUrlOf(tally.key);
    const row = rows.get(url) ?? { url, ...ZERO };
    row.clicks += Number(tally.clicks);
    row.leads += Number(tally.leads);
    row.sales += Number(tally.sales);
    row.saleAmount += Number(tally.saleAmount);
    rows.set(url, row);
  }
  const ranking = RANKING[event];
  return [...rows.values()]
    .sort((a, b) => {
      for (const metric of ranking) if (a[metric] !== b[metric]) return b[metric] - a[metric];
      return a.url < b.url ? -1 : a.url > b.url ? 1 : 0;
    })
    .slice(0, TOP_LIMIT);
}

const baseUrlOf = (url: string) => url.replace(/[?#].*$/s, "");

function normalise(filter: EventFilter): EventFilter {
  return {
    ...filter,
    domain: filter.domain?.toLowerCase(),
    externalId: filter.externalId === undefined ? undefined : normaliseExternalId(filter.externalId),
  };
}

/** Counts of the events asked for; the other kinds read 0, as Dub leaves them out. */
function only(event: AnalyticsEvent, tally: Metrics): Metrics {
  const kinds = KINDS[event];
  return {
    clicks: kinds.includes("clicks") ? Number(tally.clicks) : 0,
    leads: kinds.includes("leads") ? Number(tally.leads) : 0,
    sales: kinds.includes("sales") ? Number(tally.sales) : 0,
    saleAmount: kinds.includes("sales") ? Number(tally.saleAmount) : 0,
  };
}
