import { DAY_MS, HOUR_MS } from "./dimensions.js";
import type { Grain, Segment } from "./ports.js";

const ceilTo = (epoch: number, unit: number) => Math.ceil(epoch / unit) * unit;
const floorTo = (epoch: number, unit: number) => Math.floor(epoch / unit) * unit;

/**
 * Covers each bucket with the coarsest rows that fit inside it: whole UTC days from day rollups, the whole
 * hours around them from hour rollups, and the minutes left at either end from the events. A grain the query
 * cannot read from rollups (`hour: false`) falls to the next finer one.
 */
export function segmentsOf(
  buckets: readonly { start: number; end: number }[],
  grains: { day: boolean; hour: boolean },
): Segment[] {
  const segments: Segment[] = [];
  buckets.forEach(({ start, end }, bucket) => {
    const add = (from: number, to: number, grain: Grain) => {
      if (from >= to) return;
      const last = segments[segments.length - 1];
      if (last && last.bucket === bucket && last.grain === grain && last.end === from) last.end = to;
      else segments.push({ bucket, start: from, end: to, grain });
    };
    const hourGrain: Grain = grains.hour ? "hour" : "raw";
    const hours = { start: ceilTo(start, HOUR_MS), end: floorTo(end, HOUR_MS) };
    if (hours.start >= hours.end) {
      add(start, end, "raw");
      return;
    }
    const days = { start: ceilTo(start, DAY_MS), end: floorTo(end, DAY_MS) };
    add(start, hours.start, "raw");
    if (grains.day && days.start < days.end) {
      add(hours.start, days.start, hourGrain);
      add(days.start, days.end, "day");
      add(days.end, hours.end, hourGrain);
    } else {
      add(hours.start, hours.end, hourGrain);
    }
    add(hours.end, end, "raw");
  });
  return segments;
}
