import { useQuery } from "@tanstack/react-query";
import { getRouteApi, Link } from "@tanstack/react-router";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api } from "../../api/client";
import { useWorkspace } from "../../app/workspace";
import { FilterChips } from "../../components/filter-chips";
import { SkeletonRows } from "../../components/skeleton-rows";
import { TimeRangePicker } from "../../components/time-range-picker";
import { BreakdownCard } from "./breakdown-card";
import { LOCATIONS, SOURCES, TECHNOLOGY, TOP_LINKS } from "./dimensions";
import {
  countryName,
  formatMetricShort,
  formatPercent,
  METRIC_LABELS,
  type Metrics,
  metricOf,
} from "./format";
import { Funnel } from "./funnel";
import { type TimeseriesRow, useAnalytics, useExportUrl } from "./queries";
import {
  activeFilters,
  apiQueryOf,
  type FilterParam,
  type InsightsSearch,
  METRICS,
  type Metric,
  previousPeriodOf,
  type RangeSearch,
  timeZoneOf,
  withoutFilters,
} from "./search";
import { TimeseriesChart } from "./timeseries-chart";

const route = getRouteApi("/$workspace/analytics");

/** Marked once per visit when the chart and every breakdown show data (bench/dashboard.ts reads it). */
export const SHOWN_MARK = "clicktrail:analytics-shown";

const ZERO: Metrics = { clicks: 0, leads: 0, sales: 0, saleAmount: 0 };

const BREAKDOWNS = [
  { title: "Top links", dimensions: TOP_LINKS },
  { title: "Locations", dimensions: LOCATIONS },
  { title: "Devices", dimensions: TECHNOLOGY },
  { title: "Sources", dimensions: SOURCES },
];

export function AnalyticsPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const workspace = useWorkspace();
  const query = useMemo(() => apiQueryOf(search), [search]);
  const metric: Metric = search.metric ?? "clicks";
  const timeZone = timeZoneOf(search);
  const filters = activeFilters(search);
  const timeseries = useAnalytics<TimeseriesRow[]>("timeseries", query);
  const exportUrl = useExportUrl("timeseries", query);
  const totals = useMemo(
    () =>
      (timeseries.data ?? []).reduce(
        (sum, row) => ({
          clicks: sum.clicks + row.clicks,
          leads: sum.leads + row.leads,
          sales: sum.sales + row.sales,
          saleAmount: sum.saleAmount + row.saleAmount,
        }),
        ZERO,
      ),
    [timeseries.data],
  );
  const link = useQuery({
    queryKey: ["link", workspace.id, search.linkId],
    queryFn: () =>
      api<{ shortLink: string }>(`/links/${encodeURIComponent(search.linkId ?? "")}`, {
        workspace: workspace.id,
      }),
    enabled: Boolean(search.linkId),
    staleTime: 60_000,
  });

  // Stable, so that the breakdown cards (memoised) do not render again when the page does.
  const update = useCallback(
    (change: (previous: InsightsSearch) => InsightsSearch) =>
      navigate({ search: (previous: InsightsSearch) => change(previous) }),
    [navigate],
  );
  const setFilter = useCallback(
    (param: FilterParam, value: string | undefined) =>
      update((previous) => ({ ...previous, [param]: value, page: undefined })),
    [update],
  );
  const setRange = (range: RangeSearch) =>
    update((previous) => ({
      ...previous,
      interval: range.interval,
      start: range.start,
      end: range.end,
      timezone: range.timezone,
    }));

  // A link's own page has no "Top links" card.
  const cards = BREAKDOWNS.filter((card) => !(search.linkId && card.dimensions === TOP_LINKS));
  const shown = useShownMark(timeseries.data !== undefined, cards.length);
  const previousPeriod = previousPeriodOf(search, Date.now());
  const previousQuery = previousPeriod
    ? { ...query, interval: "", start: previousPeriod.start, end: previousPeriod.end }
    : query;
  // Asked once the view's own figures are on screen: the comparison must not delay them.
  const previous = useAnalytics<Metrics>("count", previousQuery, {
    enabled: previousPeriod !== null && shown.done,
  });

  const display = (param: FilterParam, value: string) =>
    param === "country"
      ? countryName(value)
      : param === "linkId" && link.data
        ? link.data.shortLink.replace(/^https?:\/\//, "")
        : value;

  const { metric: _metric, ...eventsSearch } = search;

  return (
    <div className="analytics-page" data-shown={shown.done || undefined}>
      <div className="page-head">
        <h1>Analytics</h1>
        <div className="insights-toolbar">
          <TimeRangePicker
            key={`${search.interval}-${search.start}-${search.end}`}
            range={search}
            onChange={setRange}
          />
          <a className="button secondary" href={exportUrl} download>
            Download CSV
          </a>
          <Link
            className="button secondary"
            to="/$workspace/events"
            params={{ workspace: workspace.slug }}
            search={eventsSearch}
          >
            View events
          </Link>
        </div>
      </div>
      <FilterChips
        filters={filters.map((filter) => ({ ...filter, display: display(filter.param, filter.value) }))}
        onRemove={(param) => setFilter(param as FilterParam, undefined)}
        onClear={() => update((previous) => withoutFilters(previous))}
      />

      <section className="card chart-card" aria-labelledby="chart-title">
        <h2 id="chart-title" className="visually-hidden">
          {METRIC_LABELS[metric]} over time
        </h2>
        <fieldset className="metric-tabs">
          <legend className="visually-hidden">Metric shown</legend>
          {METRICS.map((each) => (
            <button
              key={each}
              type="button"
              className={`metric-tab ${each}${each === metric ? " selected" : ""}`}
              aria-pressed={each === metric}
              onClick={() =>
                update((previous) => ({ ...previous, metric: each === "clicks" ? undefined : each }))
              }
            >
              <span className="metric-name">{METRIC_LABELS[each]}</span>
              {timeseries.data ? (
                <>
                  <span className="metric-total" data-metric={each}>
                    {formatMetricShort(metricOf(totals, each), each)}
                  </span>
                  {previous.data && !previous.isPlaceholderData && (
                    <Change now={metricOf(totals, each)} before={metricOf(previous.data, each)} />
                  )}
                </>
              ) : (
                <span className="skeleton metric-skeleton" />
              )}
            </button>
          ))}
        </fieldset>
        {timeseries.isError ? (
          <p className="error-message" role="alert">
            The chart could not be loaded: {timeseries.error.message}
          </p>
        ) : timeseries.data ? (
          <>
            <EmptyNotice totals={totals} filtered={filters.length > 0} workspaceSlug={workspace.slug} />
            <div className={timeseries.isPlaceholderData ? "stale" : undefined}>
              <TimeseriesChart rows={timeseries.data} metric={metric} timeZone={timeZone} />
            </div>
          </>
        ) : (
          <div className="chart-skeleton">
            <SkeletonRows count={1} />
          </div>
        )}
      </section>

      <div className="breakdowns">
        {cards.map((card) => (
          <BreakdownCard
            key={card.title}
            title={card.title}
            dimensions={card.dimensions}
            query={query}
            metric={metric}
            filters={search}
            onFilter={setFilter}
            onShown={shown.card}
          />
        ))}
      </div>
      {timeseries.data && <Funnel totals={totals} />}
    </div>
  );
}

/** The change against the previous period, as an arrow and a signed percentage (never colour alone). */
function Change({ now, before }: { now: number; before: number }) {
  if (before === 0)
    return <span className="change muted">{now > 0 ? "new in this period" : "no change"}</span>;
  const ratio = (now - before) / before;
  const arrow = ratio > 0 ? "↑" : ratio < 0 ? "↓" : "→";
  const sign = ratio > 0 ? "+" : "";
  return (
    <span className={`change ${ratio > 0 ? "up" : ratio < 0 ? "down" : ""}`}>
      <span aria-hidden="true">{arrow} </span>
      {sign}
      {formatPercent(ratio)}
      <span className="visually-hidden"> compared with the previous period</span>
      <span aria-hidden="true" className="muted">
        {" "}
        vs. previous
      </span>
    </span>
  );
}

function EmptyNotice({
  totals,
  filtered,
  workspaceSlug,
}: {
  totals: Metrics;
  filtered: boolean;
  workspaceSlug: string;
}) {
  if (totals.clicks > 0 || totals.leads > 0 || totals.sales > 0) return null;
  return (
    <div className="empty-state" role="status">
      {filtered ? (
        <p>Nothing matches these filters in this range. Remove a filter or choose a longer range.</p>
      ) : (
        <p>
          No clicks yet in this range. Share a short link from{" "}
          <Link to="/$workspace/links" params={{ workspace: workspaceSlug }}>
            Links
          </Link>{" "}
          and its clicks show here within seconds, or choose a longer range.
        </p>
      )}
    </div>
  );
}

/**
 * `performance.mark(SHOWN_MARK)` the first time the chart and every breakdown card show data, so the time from
 * navigation to data on screen can be measured in the browser.
 */
function useShownMark(chartShown: boolean, cards: number) {
  // Counted without rendering the page again for each card: only the last one turns `cardsShown` on.
  const shownCards = useRef(0);
  const [cardsShown, setCardsShown] = useState(false);
  const card = useCallback(() => {
    shownCards.current += 1;
    if (shownCards.current >= cards) setCardsShown(true);
  }, [cards]);
  const done = chartShown && cardsShown;
  useEffect(() => {
    if (done && performance.getEntriesByName(SHOWN_MARK).length === 0) performance.mark(SHOWN_MARK);
  }, [done]);
  return { card, done };
}
