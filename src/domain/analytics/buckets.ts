import { unprocessable } from "../errors.js";
import { wallClock, zonedToEpoch } from "../events/time-range.js";
import { DAY_MS, HOUR_MS } from "./dimensions.js";
import type { Granularity } from "./model.js";

const MAX_BUCKETS = 5_000;

/** Hours for up to two days, days for up to about three months, months beyond. */
export function granularityOf(start: number, end: number): Granularity {
  const length = end - start;
  if (length <= 2 * DAY_MS) return "hour";
  if (length <= 93 * DAY_MS) return "day";
  return "month";
}

/**
 * Splits [start, end) at the starts of the hours, days or months of `zone` (a DST day has 23 or 25 hours).
 * Each bucket is labelled with the start of its hour, day or month, the first one included, which may begin
 * before `start`; every bucket is present, whether or not it has events.
 */
export function bucketsOf(
  start: number,
  end: number,
  granularity: Granularity,
  zone: string,
): { label: number; start: number; end: number }[] {
  const buckets: { label: number; start: number; end: number }[] = [];
  let label = floor(start, granularity, zone);
  let from = start;
  while (from < end) {
    if (buckets.length >= MAX_BUCKETS)
      throw unprocessable(`The time range holds more than ${MAX_BUCKETS} ${granularity}s: narrow it.`);
    const next = following(label, granularity, zone);
    buckets.push({ label, start: from, end: Math.min(next, end) });
    label = next;
    from = next;
  }
  return buckets;
}

function floor(epoch: number, granularity: Granularity, zone: string): number {
  if (granularity === "hour") return floorHour(epoch, zone);
  const wall = wallClock(epoch, zone);
  return zonedToEpoch(
    { year: wall.year, month: wall.month, day: granularity === "day" ? wall.day : 1 },
    zone,
  );
}

function following(boundary: number, granularity: Granularity, zone: string): number {
  if (granularity === "hour") return floorHour(boundary + HOUR_MS, zone);
  const wall = wallClock(boundary, zone);
  return granularity === "day"
    ? zonedToEpoch({ year: wall.year, month: wall.month, day: wall.day + 1 }, zone)
    : zonedToEpoch({ year: wall.year, month: wall.month + 1, day: 1 }, zone);
}

/** By the offset, not by wall-clock time: an hour repeated when clocks go back is a bucket of its own. */
function floorHour(epoch: number, zone: string): number {
  const wall = wallClock(epoch, zone);
  const local = Date.UTC(wall.year, wall.month, wall.day, wall.hour, wall.minute, wall.second, wall.ms);
  return epoch - (((local % HOUR_MS) + HOUR_MS) % HOUR_MS);
}
