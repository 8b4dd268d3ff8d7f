/**
 * The dates the API accepts: ISO 8601 calendar dates and date-times (`2024-05-01`, `2024-05-01T10:00`,
 * `2024-05-01T10:00:00.000Z`, `…+02:00`) with real calendar fields, between 1970 and the end of 9999.
 * `Date.parse` alone would read "1" as the year 2001 and accept years ±271821.
 */
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

export const EARLIEST_INSTANT = Date.UTC(1970, 0, 1);
export const LATEST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
export const INSTANT_RANGE_TEXT = "between 1970-01-01 and 9999-12-31";

/** Calendar fields of an ISO text (month from 0, like Date's), and its UTC offset in minutes when it has one. */
export type IsoParts = {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
  offsetMinutes: number | undefined;
};

export function parseIsoParts(text: string): IsoParts | null {
  const match = ISO.exec(text.trim());
  if (!match) return null;
  const [, year, month, day, hour = "0", minute = "0", second = "0", fraction = "0", offset] = match;
  const parts = {
    year: Number(year),
    month: Number(month) - 1,
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second),
    ms: Number(fraction.padEnd(3, "0")),
    offsetMinutes: offset === undefined ? undefined : offsetMinutes(offset),
  };
  const daysInMonth = new Date(Date.UTC(parts.year, parts.month + 1, 0)).getUTCDate();
  const valid =
    parts.month >= 0 &&
    parts.month <= 11 &&
    parts.day >= 1 &&
    parts.day <= daysInMonth &&
    parts.hour <= 23 &&
    parts.minute <= 59 &&
    parts.second <= 59 &&
    (parts.offsetMinutes === undefined || Math.abs(parts.offsetMinutes) <= 18 * 60);
  return valid ? parts : null;
}

function offsetMinutes(offset: string): number {
  if (offset.toUpperCase() === "Z") return 0;
  const digits = offset.slice(1).replace(":", "");
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || "0");
  return offset.startsWith("-") ? -minutes : minutes;
}

/** The instant of an ISO text; one without an offset is read as UTC. */
export function isoPartsToEpoch(parts: IsoParts): number {
  const wall = Date.UTC(parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.second, parts.ms);
  return wall - (parts.offsetMinutes ?? 0) * 60_000;
}

export const isWithinInstantRange = (epoch: number) => epoch >= EARLIEST_INSTANT && epoch <= LATEST_INSTANT;
