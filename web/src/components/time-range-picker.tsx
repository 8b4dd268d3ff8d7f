import { useId, useState } from "react";
import { DEFAULT_INTERVAL, PRESET_INTERVALS, type RangeSearch, timeZoneOf } from "../pages/analytics/search";

const PRESET_LABELS: Record<(typeof PRESET_INTERVALS)[number], string> = {
  "24h": "24 hours",
  "7d": "7 days",
  "30d": "30 days",
  "90d": "90 days",
  "1y": "1 year",
};

type Props = {
  range: RangeSearch;
  /** The new range; the caller keeps every other part of the view. */
  onChange: (range: RangeSearch) => void;
};

const END_OF_DAY = "T23:59:59";

/**
 * The last 24 hours to a year, or a custom pair of days; days are the viewer's (`timezone` goes with every
 * request), so the zone in force is shown beside them.
 */
export function TimeRangePicker({ range, onChange }: Props) {
  const id = useId();
  const custom = Boolean(range.start);
  const [editing, setEditing] = useState(custom);
  const [start, setStart] = useState(range.start?.slice(0, 10) ?? "");
  const [end, setEnd] = useState(range.end?.slice(0, 10) ?? "");
  const current = custom ? "custom" : (range.interval ?? DEFAULT_INTERVAL);
  const zone = timeZoneOf(range);
  const invalid = start !== "" && end !== "" && start > end;

  return (
    <div className="time-range">
      <fieldset className="segmented">
        <legend className="visually-hidden">Time range</legend>
        {PRESET_INTERVALS.map((interval) => (
          <button
            key={interval}
            type="button"
            className={current === interval ? "segment selected" : "segment"}
            aria-pressed={current === interval}
            title={`Last ${PRESET_LABELS[interval]}`}
            onClick={() => {
              setEditing(false);
              onChange({ interval, timezone: range.timezone });
            }}
          >
            {interval}
          </button>
        ))}
        <button
          type="button"
          className={current === "custom" ? "segment selected" : "segment"}
          aria-pressed={current === "custom"}
          aria-expanded={editing}
          aria-controls={`${id}-custom`}
          onClick={() => setEditing(!editing)}
        >
          Custom
        </button>
      </fieldset>
      {editing && (
        <form
          id={`${id}-custom`}
          className="custom-range"
          onSubmit={(event) => {
            event.preventDefault();
            if (!start || invalid) return;
            onChange({
              start,
              end: end ? `${end}${END_OF_DAY}` : undefined,
              timezone: range.timezone,
            });
          }}
        >
          <label>
            From
            <input type="date" required value={start} onChange={(event) => setStart(event.target.value)} />
          </label>
          <label>
            To
            <input
              type="date"
              value={end}
              aria-invalid={invalid || undefined}
              aria-describedby={invalid ? `${id}-error` : undefined}
              onChange={(event) => setEnd(event.target.value)}
            />
          </label>
          <button type="submit" disabled={!start || invalid}>
            Apply
          </button>
          {invalid && (
            <span id={`${id}-error`} className="error-message">
              The end is before the start.
            </span>
          )}
        </form>
      )}
      <span className="muted time-zone" title="Days and hours are counted in this time zone">
        Time zone: {zone}
      </span>
    </div>
  );
}
