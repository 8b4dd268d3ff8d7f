import assert from "node:assert/strict";
import { test } from "node:test";
import { bucketsOf, granularityOf } from "../../src/domain/analytics/buckets.js";
import { segmentsOf } from "../../src/domain/analytics/segments.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (text: string) => Date.parse(text);
const lengths = (buckets: { start: number; end: number }[]) => buckets.map((b) => (b.end - b.start) / HOUR);

test("day buckets follow the zone's midnights across DST changes", () => {
  const spring = bucketsOf(at("2026-03-07T05:00:00Z"), at("2026-03-10T04:00:00Z"), "day", "America/New_York");
  assert.deepEqual(lengths(spring), [24, 23, 24]);
  const fall = bucketsOf(at("2026-10-31T04:00:00Z"), at("2026-11-03T05:00:00Z"), "day", "America/New_York");
  assert.deepEqual(lengths(fall), [24, 25, 24]);
  const kolkata = bucketsOf(at("2026-03-06T18:30:00Z"), at("2026-03-08T18:30:00Z"), "day", "Asia/Kolkata");
  assert.deepEqual(
    kolkata.map((b) => new Date(b.label).toISOString()),
    ["2026-03-06T18:30:00.000Z", "2026-03-07T18:30:00.000Z"],
  );
});

test("hour buckets: a skipped hour is absent, a repeated one is its own bucket, half-hour shifts too", () => {
  const ny = bucketsOf(at("2026-03-08T05:00:00Z"), at("2026-03-08T09:00:00Z"), "hour", "America/New_York");
  assert.equal(ny.length, 4);
  const berlin = bucketsOf(at("2026-10-24T23:00:00Z"), at("2026-10-25T03:00:00Z"), "hour", "Europe/Berlin");
  assert.deepEqual(lengths(berlin), [1, 1, 1, 1]);
  // Lord Howe Island moves its clocks by 30 minutes.
  const lordHowe = bucketsOf(
    at("2026-04-04T13:00:00Z"),
    at("2026-04-04T17:00:00Z"),
    "hour",
    "Australia/Lord_Howe",
  );
  assert.ok(lordHowe.every((b) => b.end > b.start));
  assert.equal(lordHowe[0].start, at("2026-04-04T13:00:00Z"));
  assert.equal(lordHowe.at(-1)?.end, at("2026-04-04T17:00:00Z"));
});

test("the first bucket is labelled with the start of its period and counts from the range's start", () => {
  const [first, second] = bucketsOf(at("2026-05-10T13:27:00Z"), at("2026-05-12T00:00:00Z"), "day", "UTC");
  assert.equal(first.label, at("2026-05-10T00:00:00Z"));
  assert.equal(first.start, at("2026-05-10T13:27:00Z"));
  assert.equal(second.label, at("2026-05-11T00:00:00Z"));
  assert.equal(granularityOf(0, 2 * DAY), "hour");
  assert.equal(granularityOf(0, 90 * DAY), "day");
  assert.equal(granularityOf(0, 365 * DAY), "month");
});

test("segments cover each bucket exactly, from the coarsest aligned rows", () => {
  let seed = 7;
  const random = () => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
  for (let run = 0; run < 500; run++) {
    const start = at("2026-01-01T00:00:00Z") + Math.floor(random() * 40 * DAY);
    const end = start + 1 + Math.floor(random() * 20 * DAY);
    const zone = ["UTC", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu"][run % 4];
    const buckets = bucketsOf(start, end, granularityOf(start, end), zone);
    const grains = { day: random() < 0.8, hour: random() < 0.7 };
    const segments = segmentsOf(buckets, grains);
    buckets.forEach((bucket, index) => {
      const own = segments.filter((s) => s.bucket === index);
      assert.equal(own[0].start, bucket.start);
      assert.equal(own.at(-1)?.end, bucket.end);
      for (let i = 1; i < own.length; i++) assert.equal(own[i].start, own[i - 1].end);
    });
    for (const s of segments) {
      if (s.grain === "day") assert.ok(grains.day && s.start % DAY === 0 && s.end % DAY === 0);
      if (s.grain === "hour") assert.ok(grains.hour && s.start % HOUR === 0 && s.end % HOUR === 0);
      // What is read from the events is less than two UTC hours (two UTC days without hour rows).
      if (s.grain === "raw" && grains.day) assert.ok(s.end - s.start < 2 * (grains.hour ? HOUR : DAY));
    }
  }
});
