// Tag and folder filters scope the links an analytics query reads, as the other link filters do: the per-link
// rollups still answer it, and only what needs the events (a city, two dimensions) falls back to them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { planOf } from "../../src/domain/analytics/plan.js";

const tags = { ids: ["tag_a", "tag_b"], exclude: false };
const folders = { ids: ["fold_1"], exclude: true };
const is = (value: string) => ({ values: [value], exclude: false });

test("tags and folders are link filters, answered from rollups", () => {
  const plan = planOf("none", { tags, folders });
  assert.deepEqual(plan.links, { tags, folders });
  assert.deepEqual(plan.filter, {});
  assert.deepEqual(plan.rollup, { dimension: "all", values: null });
  assert.equal(plan.hourRollups, true);
});

test("with one dimension, the per-link day rollups of that dimension answer it", () => {
  const plan = planOf("countries", { tags, country: is("DE") });
  assert.deepEqual(plan.links, { tags });
  assert.deepEqual(plan.rollup, {
    dimension: "countries",
    values: { exclude: false, list: ["DE"], anyCase: false },
  });
  assert.equal(plan.hourRollups, false, "per-link hour rows exist for `all` only");
});

test("a city still needs the events", () => {
  const plan = planOf("none", { folders, city: is("Berlin") });
  assert.deepEqual(plan.links, { folders });
  assert.equal(plan.rollup, null);
});

test("grouping by tag or folder reads the per-link rollups, as grouping by link does", () => {
  for (const key of ["tag", "folder"] as const) {
    const plain = planOf(key, {});
    assert.equal(plain.links, null);
    assert.deepEqual(plain.rollup, { dimension: "all", values: null }, key);
    assert.equal(plain.hourRollups, true, key);
    const inCountry = planOf(key, { country: is("DE") });
    assert.deepEqual(inCountry.rollup, {
      dimension: "countries",
      values: { exclude: false, list: ["DE"], anyCase: false },
    });
    assert.equal(inCountry.hourRollups, false, `${key}: per-link hour rows exist for \`all\` only`);
    assert.equal(
      planOf(key, { country: is("DE"), device: is("Mobile") }).rollup,
      null,
      "two dimensions need the events",
    );
  }
});

test("several values, or none of them, still read one dimension's rollups; letter case carries over", () => {
  const plan = planOf("none", { device: { values: ["mobile", "desktop"], exclude: true, anyCase: true } });
  assert.deepEqual(plan.rollup, {
    dimension: "devices",
    values: { exclude: true, list: ["mobile", "desktop"], anyCase: true },
  });
});

test("excluding a value of a dimension an event may lack needs the events", () => {
  assert.equal(planOf("none", { utmSource: { values: ["x"], exclude: true } }).rollup, null);
  assert.notEqual(planOf("none", { utmSource: { values: ["x", "y"], exclude: false } }).rollup, null);
});
