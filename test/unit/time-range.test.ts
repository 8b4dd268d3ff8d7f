import assert from "node:assert/strict";
import { test } from "node:test";
import { DomainError } from "../../src/domain/errors.js";
import { resolveRange, zonedToEpoch } from "../../src/domain/events/time-range.js";

const iso = (epoch: number) => new Date(epoch).toISOString();
const NOW = Date.parse("2024-05-15T12:00:00Z");

test("a wall-clock time is resolved in its zone, including a half-hour offset", () => {
  assert.equal(
    iso(zonedToEpoch({ year: 2024, month: 0, day: 1 }, "Asia/Kolkata")),
    "2023-12-31T18:30:00.000Z",
  );
  assert.equal(
    iso(zonedToEpoch({ year: 2024, month: 6, day: 1, hour: 9 }, "UTC")),
    "2024-07-01T09:00:00.000Z",
  );
});

test("a time skipped by spring-forward moves ahead by the gap, west and east of Greenwich", () => {
  const newYork = zonedToEpoch({ year: 2024, month: 2, day: 10, hour: 2, minute: 30 }, "America/New_York");
  assert.equal(iso(newYork), "2024-03-10T07:30:00.000Z");
  const berlin = zonedToEpoch({ year: 2024, month: 2, day: 31, hour: 2, minute: 30 }, "Europe/Berlin");
  assert.equal(iso(berlin), "2024-03-31T01:30:00.000Z");
});

test("a time repeated by fall-back is its first occurrence, west and east of Greenwich", () => {
  const newYork = zonedToEpoch({ year: 2024, month: 10, day: 3, hour: 1, minute: 30 }, "America/New_York");
  assert.equal(iso(newYork), "2024-11-03T05:30:00.000Z");
  const berlin = zonedToEpoch({ year: 2024, month: 9, day: 27, hour: 2, minute: 30 }, "Europe/Berlin");
  assert.equal(iso(berlin), "2024-10-27T00:30:00.000Z");
});

test("intervals end now; to-date intervals start at midnight in the time zone", () => {
  const range = (interval: Parameters<typeof resolveRange>[0]["interval"], timezone?: string) =>
    iso(resolveRange({ interval, timezone }, NOW).start);
  assert.equal(range(undefined), "2024-05-14T12:00:00.000Z");
  assert.equal(range("7d"), "2024-05-08T12:00:00.000Z");
  assert.equal(range("1y"), "2023-05-16T12:00:00.000Z");
  assert.equal(range("all"), "1970-01-01T00:00:00.000Z");
  assert.equal(range("mtd"), "2024-05-01T00:00:00.000Z");
  assert.equal(range("qtd"), "2024-04-01T00:00:00.000Z");
  assert.equal(range("ytd"), "2024-01-01T00:00:00.000Z");
  assert.equal(range("mtd", "America/Los_Angeles"), "2024-05-01T07:00:00.000Z");
  assert.equal(range("ytd", "Pacific/Auckland"), "2023-12-31T11:00:00.000Z");
  assert.equal(resolveRange({ interval: "7d" }, NOW).end, NOW);
});

test("start wins over interval; naive dates are wall-clock time, offsets are absolute", () => {
  assert.deepEqual(resolveRange({ interval: "24h", start: "2024-01-01", end: "2024-01-02" }, NOW), {
    start: Date.parse("2024-01-01T00:00:00Z"),
    end: Date.parse("2024-01-02T00:00:00Z"),
  });
  assert.deepEqual(resolveRange({ start: "2024-01-01T00:00:00", timezone: "Europe/Paris" }, NOW), {
    start: Date.parse("2023-12-31T23:00:00Z"),
    end: NOW,
  });
  assert.equal(
    resolveRange({ start: "2024-01-01T00:00:00+05:00", timezone: "Europe/Paris" }, NOW).start,
    Date.parse("2023-12-31T19:00:00Z"),
  );
  assert.throws(() => resolveRange({ start: "soon" }, NOW), DomainError);
  assert.throws(() => resolveRange({ start: "2024-02-01", end: "2024-01-01" }, NOW), DomainError);
});
