import assert from "node:assert/strict";
import { test } from "node:test";
import { monthStart, monthsWithin, nextMonth } from "../../src/store/sql/month-rollups.js";

const utc = (month: number, day = 1, hour = 0) => Date.UTC(2026, month, day, hour);

test("a month starts at 00:00 UTC of its first day, whatever the instant inside it", () => {
  assert.equal(monthStart(utc(1, 28, 23) + 59_999), utc(1));
  assert.equal(monthStart(utc(2)), utc(2));
  assert.equal(nextMonth(utc(1)), utc(2), "February has 28 days in 2026");
  assert.equal(nextMonth(Date.UTC(2026, 11, 1)), Date.UTC(2027, 0, 1), "December rolls into the next year");
});

test("only the months wholly inside a range are read from month rollups", () => {
  assert.deepEqual(monthsWithin(utc(0, 15), utc(3, 2)), [utc(1), utc(2)]);
  assert.deepEqual(monthsWithin(utc(1), utc(2)), [utc(1)], "a range that is exactly a month");
  assert.deepEqual(monthsWithin(utc(1), utc(2) - 1), [], "a millisecond short of it");
  assert.deepEqual(monthsWithin(utc(1) + 1, utc(3)), [utc(2)]);
  assert.deepEqual(monthsWithin(utc(5, 3), utc(5, 30)), []);
});
