import { Tabs } from "radix-ui";
import { memo, useEffect, useState } from "react";
import { SkeletonRows } from "../../components/skeleton-rows";
import { formatMetric, formatPercent, METRIC_LABELS, type Metrics, metricOf } from "./format";
import { type GroupRow, useAnalytics, useExportUrl } from "./queries";
import type { FilterParam, Metric } from "./search";

export type Dimension = {
  groupBy: string;
  /** Tab label, and the table's first column. */
  label: string;
  /** The filter a row sets, and the row's value for it. */
  param: FilterParam;
  valueOf: (row: GroupRow) => string;
  display?: (row: GroupRow) => string;
};

type Props = {
  title: string;
  dimensions: Dimension[];
  query: Record<string, string>;
  metric: Metric;
  filters: Partial<Record<FilterParam, string>>;
  /** Sets (or, for the value in force, removes) the filter of a row. */
  onFilter: (param: FilterParam, value: string | undefined) => void;
  /** Called once the first tab's rows are on screen. */
  onShown?: () => void;
};

const FIRST_ROWS = 8;

/** One card of breakdowns: a tab per grouping, rows with bars sized by their share, each row a filter. */
export const BreakdownCard = memo(function BreakdownCard({
  title,
  dimensions,
  query,
  metric,
  filters,
  onFilter,
  onShown,
}: Props) {
  const [tab, setTab] = useState(dimensions[0].groupBy);
  return (
    <section className="card breakdown" aria-label={title}>
      <Tabs.Root value={tab} onValueChange={setTab}>
        <div className="breakdown-head">
          <h2>{title}</h2>
          {dimensions.length > 1 && (
            <Tabs.List className="tab-list" aria-label={`${title}: grouping`}>
              {dimensions.map((dimension) => (
                <Tabs.Trigger key={dimension.groupBy} value={dimension.groupBy} className="tab">
                  {dimension.label}
                </Tabs.Trigger>
              ))}
            </Tabs.List>
          )}
        </div>
        {dimensions.map((dimension, index) => (
          <Tabs.Content key={dimension.groupBy} value={dimension.groupBy}>
            <BreakdownTable
              dimension={dimension}
              query={query}
              metric={metric}
              active={filters[dimension.param]}
              onFilter={onFilter}
              onShown={index === 0 ? onShown : undefined}
            />
          </Tabs.Content>
        ))}
      </Tabs.Root>
    </section>
  );
});

function BreakdownTable({
  dimension,
  query,
  metric,
  active,
  onFilter,
  onShown,
}: {
  dimension: Dimension;
  query: Record<string, string>;
  metric: Metric;
  active: string | undefined;
  onFilter: Props["onFilter"];
  onShown?: () => void;
}) {
  const result = useAnalytics<GroupRow[]>(dimension.groupBy, query);
  const exportUrl = useExportUrl(dimension.groupBy, query);
  const [expanded, setExpanded] = useState(false);
  const shown = result.data !== undefined;
  useEffect(() => {
    if (shown) onShown?.();
  }, [shown, onShown]);

  if (result.isError) {
    return (
      <p className="error-message" role="alert">
        {dimension.label} could not be loaded: {result.error.message}
      </p>
    );
  }
  if (!result.data) return <SkeletonRows />;

  const rows = result.data
    .filter((row) => metricOf(row as Metrics, metric) > 0)
    .sort((a, b) => metricOf(b as Metrics, metric) - metricOf(a as Metrics, metric));
  const total = rows.reduce((sum, row) => sum + metricOf(row as Metrics, metric), 0);
  const top = metricOf((rows[0] ?? { clicks: 0, leads: 0, sales: 0, saleAmount: 0 }) as Metrics, metric);
  const visible = expanded ? rows.slice(0, 200) : rows.slice(0, FIRST_ROWS);

  if (rows.length === 0) {
    return (
      <p className="breakdown-empty muted">
        No {METRIC_LABELS[metric].toLowerCase()} by {dimension.label.toLowerCase()} in this range
        {active ? " with these filters" : ""}.
      </p>
    );
  }
  return (
    <div className={result.isPlaceholderData ? "stale" : undefined} aria-busy={result.isFetching}>
      <table className="bars" data-groupby={dimension.groupBy}>
        <thead>
          <tr>
            <th scope="col">{dimension.label}</th>
            <th scope="col" className="number">
              {METRIC_LABELS[metric]}
            </th>
            <th scope="col" className="number">
              <abbr title="Share of the total">%</abbr>
            </th>
          </tr>
        </thead>
        <tbody>
          {visible.map((row) => {
            const value = dimension.valueOf(row);
            const label = dimension.display?.(row) ?? value;
            const amount = metricOf(row as Metrics, metric);
            const selected = active === value;
            return (
              <tr key={value} className={selected ? "selected" : undefined}>
                <th scope="row" className="bar-cell">
                  <span
                    className="bar"
                    aria-hidden="true"
                    style={{ width: `${top > 0 ? (amount / top) * 100 : 0}%` }}
                  />
                  <button
                    type="button"
                    className="row-filter"
                    aria-pressed={selected}
                    title={selected ? `Remove filter: ${label}` : `Filter: ${dimension.label} is ${label}`}
                    onClick={() => onFilter(dimension.param, selected ? undefined : value)}
                  >
                    {label}
                  </button>
                </th>
                <td className="number">{formatMetric(amount, metric)}</td>
                <td className="number muted">{formatPercent(total > 0 ? amount / total : 0)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="breakdown-foot">
        {rows.length > FIRST_ROWS && (
          <button type="button" className="secondary small" onClick={() => setExpanded(!expanded)}>
            {expanded ? "Show fewer" : `Show all ${rows.length}`}
          </button>
        )}
        <a className="small" href={exportUrl} download>
          CSV<span className="visually-hidden"> of {dimension.label.toLowerCase()}</span>
        </a>
      </div>
    </div>
  );
}
