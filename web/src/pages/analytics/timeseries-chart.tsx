import { type KeyboardEvent, memo, useEffect, useId, useMemo, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { formatCents, formatCount, formatMetric, formatMetricShort, METRIC_LABELS, metricOf } from "./format";
import type { TimeseriesRow } from "./queries";
import type { Metric } from "./search";

type Props = { rows: TimeseriesRow[]; metric: Metric; timeZone: string };

const HEIGHT = 280;
const WHOLE_STEPS = [1, 2, 5]
  .flatMap((step) => [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7].map((power) => step * power))
  .sort((a, b) => a - b);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const cssVar = (name: string) =>
  getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#2452d6";

const COLOR_VARS: Record<Metric, string> = {
  clicks: "--clicks",
  leads: "--leads",
  sales: "--sales",
  revenue: "--sales",
};

/** Each `DateTimeFormat` costs milliseconds to build: one per shape and time zone, for the page's life. */
const formats = new Map<string, Intl.DateTimeFormat>();

/** The buckets' size, for their labels: hours, days or months, as the API chose them for the range. */
function bucketLabeller(rows: TimeseriesRow[], timeZone: string) {
  const step = rows.length > 1 ? Date.parse(rows[1].start) - Date.parse(rows[0].start) : DAY;
  const options: Intl.DateTimeFormatOptions =
    step <= HOUR
      ? { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }
      : step <= DAY + HOUR
        ? { weekday: "short", year: "numeric", month: "short", day: "numeric" }
        : { year: "numeric", month: "long" };
  const id = `${JSON.stringify(options)} ${timeZone}`;
  let format = formats.get(id);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", { ...options, timeZone });
    formats.set(id, format);
  }
  return (iso: string) => format.format(new Date(iso));
}

/**
 * The chosen metric over time (uPlot on a canvas), and the same figures as a table for screen readers and
 * for anyone who prefers to read them: hidden visually until "Show as table".
 */
export const TimeseriesChart = memo(function TimeseriesChart({ rows, metric, timeZone }: Props) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [point, setPoint] = useState<number | null>(null);
  const [showTable, setShowTable] = useState(false);
  const tableId = useId();
  const label = useMemo(() => bucketLabeller(rows, timeZone), [rows, timeZone]);
  const total = rows.reduce((sum, row) => sum + metricOf(row, metric), 0);
  const summary =
    rows.length > 0
      ? `${METRIC_LABELS[metric]} from ${label(rows[0].start)} to ${label(rows[rows.length - 1].start)}: ${formatMetric(total, metric)} in all`
      : `${METRIC_LABELS[metric]}: no data`;

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const xs = rows.map((row) => Date.parse(row.start) / 1000);
    const ys = rows.map((row) => {
      const value = metricOf(row, metric);
      return metric === "revenue" ? value / 100 : value;
    });
    const color = cssVar(COLOR_VARS[metric]);
    const muted = cssVar("--fg-muted");
    const grid = cssVar("--border");
    const axis = { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const chart = new uPlot(
      {
        width: Math.max(element.clientWidth, 200),
        height: HEIGHT,
        tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), timeZone),
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        hooks: { setCursor: [(u) => setPoint(u.cursor.idx ?? null)] },
        scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] } },
        axes: [
          axis,
          {
            ...axis,
            size: 64,
            // Counts are whole: no 2.5 clicks between gridlines.
            incrs: metric === "revenue" ? undefined : WHOLE_STEPS,
            values: (_u, ticks) =>
              ticks.map((tick) => formatMetricShort(metric === "revenue" ? tick * 100 : tick, metric)),
          },
        ],
        series: [
          {},
          {
            label: METRIC_LABELS[metric],
            stroke: color,
            width: 2,
            fill: `${color}22`,
            points: { show: rows.length <= 40 },
          },
        ],
      },
      [xs, ys],
      element,
    );
    const resize = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(element.clientWidth, 200), height: HEIGHT }),
    );
    resize.observe(element);
    plot.current = chart;
    return () => {
      plot.current = null;
      resize.disconnect();
      chart.destroy();
    };
  }, [rows, metric, timeZone]);

  /** Arrow keys, Home and End move the chart's cursor from period to period, as the mouse does. */
  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const chart = plot.current;
    if (!chart || rows.length === 0) return;
    const last = rows.length - 1;
    const current = point ?? (event.key === "ArrowLeft" ? rows.length : -1);
    const next =
      event.key === "ArrowRight"
        ? Math.min(current + 1, last)
        : event.key === "ArrowLeft"
          ? Math.max(current - 1, 0)
          : event.key === "Home"
            ? 0
            : event.key === "End"
              ? last
              : null;
    if (next === null) return;
    event.preventDefault();
    const x = chart.data[0][next];
    const y = chart.data[1][next] ?? 0;
    chart.setCursor({ left: chart.valToPos(x, "x"), top: chart.valToPos(y, "y") });
  }

  const readout =
    point !== null && rows[point]
      ? `${label(rows[point].start)}: ${formatMetric(metricOf(rows[point], metric), metric)}`
      : null;

  return (
    <div className="timeseries">
      <p className="chart-readout" aria-hidden="true">
        {readout ?? (
          <span className="muted">
            Point at the chart, or focus it and use the arrow keys, for each period.
          </span>
        )}
      </p>
      <div
        className="chart-focus"
        role="slider"
        aria-label={`${METRIC_LABELS[metric]} by period`}
        aria-valuemin={0}
        aria-valuemax={Math.max(rows.length - 1, 0)}
        aria-valuenow={point ?? 0}
        aria-valuetext={readout ?? summary}
        tabIndex={0}
        onKeyDown={onKeyDown}
        onBlur={() => plot.current?.setCursor({ left: -10, top: -10 })}
      >
        <div ref={container} className="chart-canvas" aria-hidden="true" />
      </div>
      <div className="chart-footer">
        <button
          type="button"
          className="secondary small"
          aria-expanded={showTable}
          aria-controls={tableId}
          onClick={() => setShowTable(!showTable)}
        >
          {showTable ? "Hide table" : "Show as table"}
        </button>
      </div>
      <div id={tableId} className={showTable ? "table-scroll chart-table" : "visually-hidden"}>
        <table>
          <caption className={showTable ? "visually-hidden" : undefined}>
            Clicks, leads, sales and revenue over time ({timeZone})
          </caption>
          <thead>
            <tr>
              <th scope="col">Period</th>
              <th scope="col" className="number">
                Clicks
              </th>
              <th scope="col" className="number">
                Leads
              </th>
              <th scope="col" className="number">
                Sales
              </th>
              <th scope="col" className="number">
                Revenue
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.start}>
                <th scope="row">
                  <time dateTime={row.start}>{label(row.start)}</time>
                </th>
                <td className="number">{formatCount(row.clicks)}</td>
                <td className="number">{formatCount(row.leads)}</td>
                <td className="number">{formatCount(row.sales)}</td>
                <td className="number">{formatCents(row.saleAmount)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
});
