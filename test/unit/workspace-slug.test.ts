import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { cycleDay, cycleStart } from "../../src/domain/workspaces/billing-cycle.js";
import { numberedSlug, SLUG_MAX, SLUG_PATTERN, slugFromName } from "../../src/domain/workspaces/slug.js";

describe("workspace slugs", () => {
  test("a name gives lowercase letters and digits joined by single hyphens", () => {
    assert.equal(slugFromName("Default workspace"), "default-workspace");
    assert.equal(slugFromName("  Acme Café (EU) "), "acme-cafe-eu");
    assert.equal(slugFromName("ws 0.123"), "ws-0-123");
    // Letters without an ASCII base (ø, ß) separate like punctuation.
    assert.equal(slugFromName("Ünïcødé--Straße"), "unic-de-stra-e");
  });

  test("a name whose slug would be shorter than three characters gives 'workspace'", () => {
    for (const name of ["A", "日本", "!!", "a--", "é", ""])
      assert.equal(slugFromName(name), "workspace", name);
  });

  test("a long name is cut to 48 characters, never ending on a hyphen", () => {
    const slug = slugFromName(`${"a".repeat(47)} b c`);
    assert.equal(slug, "a".repeat(47));
    assert.ok(slugFromName("x".repeat(200)).length === SLUG_MAX);
  });

  test("numbered alternatives stay within 48 characters and the pattern", () => {
    assert.equal(numberedSlug("acme", 2), "acme-2");
    const long = numberedSlug(`${"a".repeat(46)}-b`, 12);
    assert.equal(long.length, SLUG_MAX);
    assert.match(long, /-12$/);
    assert.equal(numberedSlug(`${"a".repeat(45)}-bc`, 3), `${"a".repeat(45)}-3`);
    for (const slug of [long, numberedSlug("workspace", "x7k2qa")]) assert.match(slug, SLUG_PATTERN);
  });

  test("every derived slug matches the pattern the API accepts", () => {
    for (const name of ["Default workspace", "A", "x".repeat(300), "Ça va? Oui!", "ws_01ABC"]) {
      assert.match(slugFromName(name), SLUG_PATTERN, name);
    }
  });
});

describe("usage cycles", () => {
  const at = (text: string) => Date.parse(text);

  test("the cycle day is the UTC day of the month the workspace was created on", () => {
    assert.equal(cycleDay(at("2026-03-31T23:30:00Z")), 31);
    assert.equal(cycleDay(at("2026-04-01T00:00:00Z")), 1);
  });

  test("a cycle began on the last occurrence of its day, at UTC midnight", () => {
    assert.equal(cycleStart(15, at("2026-05-20T10:00:00Z")), at("2026-05-15T00:00:00Z"));
    assert.equal(cycleStart(15, at("2026-05-15T00:00:00Z")), at("2026-05-15T00:00:00Z"));
    assert.equal(cycleStart(15, at("2026-05-14T23:59:59Z")), at("2026-04-15T00:00:00Z"));
  });

  test("in a month shorter than the day, the cycle begins on its last day", () => {
    assert.equal(cycleStart(31, at("2026-02-28T12:00:00Z")), at("2026-02-28T00:00:00Z"));
    assert.equal(cycleStart(31, at("2026-02-27T12:00:00Z")), at("2026-01-31T00:00:00Z"));
    assert.equal(cycleStart(30, at("2028-02-29T01:00:00Z")), at("2028-02-29T00:00:00Z"));
    assert.equal(cycleStart(31, at("2026-04-30T12:00:00Z")), at("2026-04-30T00:00:00Z"));
  });

  test("early in January the cycle began in December of the year before", () => {
    assert.equal(cycleStart(20, at("2027-01-05T00:00:00Z")), at("2026-12-20T00:00:00Z"));
  });
});
