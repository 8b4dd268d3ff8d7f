// Tag and folder filters scope the links an analytics query reads, as the other link filters do: the per-link
// rollups still answer it, and only what needs the events (a city, two dimensions) falls back to them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { planOf } from "../../src/domain/analytics/plan.js";

const tags = { ids: ["tag_a", "tag_b"], exclude: false };
const folders = { ids: ["fold_1"], exclude: true };

test("tags and folders are link filters, answered from rollups", () => {
  const plan = planOf("none", { tags, folders });
  assert.deepEqual(plan.links, { tags, folders });
  assert.deepEqual(plan.filter, {});
  assert.deepEqual(plan.rollup, { dimension: "all", values: null });
  assert.equal(plan.hourRollups, true);
});

test("with one dimension, the per-link day rollups of that dimension answer it", () => {
  const plan = planOf("countries", { tags, country: "DE" });
  assert.deepEqual(plan.links, { tags });
  assert.deepEqual(plan.rollup, { dimension: "countries", values: { exclude: false, list: ["DE"] } });
  assert.equal(plan.hourRollups, false, "per-link hour rows exist for `all` only");
});

test("a city still needs the events", () => {
  const plan = planOf("none", { folders, city: "Berlin" });
  assert.deepEqual(plan.links, { folders });
  assert.equal(plan.rollup, null);
});

test("grouping by tag or folder reads the per-link rollups, as grouping by link does", () => {
  for (const key of ["tag", "folder"] as const) {
    const plain = planOf(key, {});
    assert.equal(plain.links, null);
    assert.deepEqual(plain.rollup, { dimension: "all", values: null }, key);
    assert.equal(plain.hourRollups, true, key);
    const inCountry = planOf(key, { country: "DE" });
    assert.deepEqual(inCountry.rollup, { dimension: "countries", values: { exclude: false, list: ["DE"] } });
    assert.equal(inCountry.hourRollups, false, `${key}: per-link hour rows exist for \`all\` only`);
    assert.equal(
      planOf(key, { country: "DE", device: "Mobile" }).rollup,
      null,
      "two dimensions need the events",
    );
  }
});
