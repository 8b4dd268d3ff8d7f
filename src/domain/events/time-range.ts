import { badRequest, unprocessable } from "../errors.js";
import { INSTANT_RANGE_TEXT, isoPartsToEpoch, isWithinInstantRange, parseIsoParts } from "../instants.js";

export const INTERVALS = ["24h", "7d", "30d", "90d", "1y", "mtd", "qtd", "ytd", "all"] as const;
export type Interval = (typeof INTERVALS)[number];

export type RangeInput = { interval?: Interval; start?: string; end?: string; timezone?: string };
/** Epoch milliseconds, both ends inclusive. */
export type TimeRange = { start: number; end: number };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ROLLING: Partial<Record<Interval, number>> = {
  "24h": DAY,
  "7d": 7 * DAY,
  "30d": 30 * DAY,
  "90d": 90 * DAY,
  "1y": 365 * DAY,
};

export const isTimeZone = (zone: string) => {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
};

/**
 * Dub's rules: `start` wins over `interval`; `end` defaults to now; the default interval is 24h. Month,
 * quarter and year to date start at midnight in `timezone`, and a date or time without an offset is a wall
 * clock time there.
 */
export function resolveRange(input: RangeInput, now: number): TimeRange {
  const zone = input.timezone || "UTC";
  const end = input.end ? parseInstant(input.end, zone, "end") : now;
  if (input.start) {
    const start = parseInstant(input.start, zone, "start");
    if (start > end) throw badRequest("start must be before end.");
    return { start, end };
  }
  const interval = input.interval ?? "24h";
  const rolling = ROLLING[interval];
  if (rolling !== undefined) return { start: end - rolling, end };
  if (interval === "all") return { start: 0, end };
  const today = wallClock(end, zone);
  const month = interval === "mtd" ? today.month : interval === "qtd" ? today.month - (today.month % 3) : 0;
  return { start: zonedToEpoch({ year: today.year, month, day: 1 }, zone), end };
}

function parseInstant(text: string, zone: string, name: string): number {
  const parts = parseIsoParts(text);
  if (!parts) throw unprocessable(`${name} must be an ISO 8601 date or date-time.`);
  const epoch = parts.offsetMinutes === undefined ? zonedToEpoch(parts, zone) : isoPartsToEpoch(parts);
  if (!isWithinInstantRange(epoch)) throw unprocessable(`${name} must be ${INSTANT_RANGE_TEXT}.`);
  return epoch;
}

/** A wall-clock time; `month` counts from 0 like Date's. */
export type WallTime = {
  year: number;
  month: number;
  day: number;
  hour?: number;
  minute?: number;
  second?: number;
  ms?: number;
};

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, format);
  }
  return format;
}

export function wallClock(epoch: number, zone: string): Required<WallTime> {
  const parts: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(new Date(epoch))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year,
    month: parts.month - 1,
    day: parts.day,
    hour: parts.hour,
    minute: parts.minute,
    second: parts.second,
    ms: ((epoch % 1000) + 1000) % 1000,
  };
}

const asUtc = (wall: WallTime) =>
  Date.UTC(wall.year, wall.month, wall.day, wall.hour ?? 0, wall.minute ?? 0, wall.second ?? 0, wall.ms ?? 0);

/** The zone's offset from UTC at an instant, in milliseconds. */
const offsetAt = (epoch: number, zone: string) => asUtc(wallClock(epoch, zone)) - epoch;

/**
 * The instant a wall-clock time names in `zone`. A time repeated by a DST change resolves to its first
 * occurrence; one skipped by it moves forward by the gap.
 */
export function zonedToEpoch(wall: WallTime, zone: string): number {
  const local = asUtc(wall);
  const before = local - offsetAt(local - DAY, zone);
  const after = local - offsetAt(local + DAY, zone);
  const valid = [before, after].filter((epoch) => asUtc(wallClock(epoch, zone)) === local);
  return valid.length > 0 ? Math.min(...valid) : before;
}
