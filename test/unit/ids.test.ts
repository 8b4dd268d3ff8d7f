import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { newClickId, newEventId, prefixedId, timeOrderedId, ulid } from "../../src/domain/ids.js";

const DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const timeOf = (id: string) => [...id.slice(0, 8)].reduce((ms, digit) => ms * 62 + DIGITS.indexOf(digit), 0);

describe("time-ordered ids (click and event ids)", () => {
  test("are 16 alphanumeric characters, as Dub's click ids", () => {
    for (const id of [newClickId(), newEventId(), timeOrderedId(0), timeOrderedId(Date.UTC(2999, 0, 1))])
      assert.match(id, /^[0-9A-Za-z]{16}$/);
  });

  test("begin with their millisecond, so that a later id sorts after an earlier one byte by byte", () => {
    const instants = [
      0,
      61,
      62,
      3843,
      3844,
      Date.UTC(2026, 11, 1),
      Date.UTC(2026, 11, 1) + 1,
      Date.UTC(2100, 0, 1),
    ];
    const ids = instants.map((ms) => timeOrderedId(ms));
    assert.deepEqual(ids.map(timeOf), instants);
    assert.deepEqual([...ids].sort(), ids);
    const now = Date.now();
    assert.ok(Math.abs(timeOf(newClickId()) - now) < 1_000);
  });

  test("made in the same millisecond share their first half and differ in the rest", () => {
    const ids = Array.from({ length: 10_000 }, () => timeOrderedId(1_700_000_000_000));
    assert.equal(new Set(ids.map((id) => id.slice(0, 8))).size, 1);
    assert.equal(new Set(ids).size, ids.length);
  });
});

describe("ULIDs (customers, links and other prefixed ids)", () => {
  const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  const msOf = (id: string) =>
    [...id.slice(0, 10)].reduce((ms, digit) => ms * 32 + CROCKFORD.indexOf(digit), 0);

  test("are 26 Crockford base-32 characters: the millisecond in 10, then 16 random ones", () => {
    const now = Date.UTC(2026, 11, 2, 13, 30);
    const id = ulid(now);
    assert.match(id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.equal(msOf(id), now);
    assert.match(prefixedId("cus"), /^cus_[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  test("differ in their random part, whose characters are spread over the whole alphabet", () => {
    const tails = Array.from({ length: 20_000 }, () => ulid(0).slice(10));
    assert.equal(new Set(tails).size, tails.length);
    const counts = new Map<string, number>();
    for (const tail of tails) for (const c of tail) counts.set(c, (counts.get(c) ?? 0) + 1);
    assert.equal(counts.size, 32);
    const expected = (tails.length * 16) / 32;
    for (const [c, n] of counts)
      assert.ok(Math.abs(n - expected) < expected * 0.1, `${c}: ${n} of ~${expected}`);
  });
});
