import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { parseMetadataQuery } from "../../src/domain/events/metadata-query.js";

const parsed = (text: string) => {
  const result = parseMetadataQuery(text);
  assert.ok(result && "query" in result, `${text}: ${JSON.stringify(result)}`);
  return result.query;
};

const refused = (text: string) => {
  const result = parseMetadataQuery(text);
  assert.ok(result && "error" in result, `${text} parsed: ${JSON.stringify(result)}`);
  return result.error;
};

test("Dub's forms: bare, quoted either way, nested keys, every operator", () => {
  assert.deepEqual(parsed("metadata['productId']:premiumProductId"), {
    join: "and",
    conditions: [{ path: ["productId"], operator: "eq", value: "premiumProductId" }],
  });
  assert.deepEqual(parsed(`metadata["key"]:"quoted value"`).conditions[0].value, "quoted value");
  assert.deepEqual(parsed("metadata['level1']['level2']['level3']:value").conditions[0].path, [
    "level1",
    "level2",
    "level3",
  ]);
  const operators = ["!=", ">=", "<=", ":", "=", ">", "<"].map(
    (symbol) => parsed(`metadata['n'] ${symbol} 5`).conditions[0].operator,
  );
  assert.deepEqual(operators, ["ne", "gte", "lte", "eq", "eq", "gt", "lt"]);
});

test("conditions join by AND or by OR, either case, never both", () => {
  const or = parsed("metadata['a']:1 or metadata['b']:'x y' OR metadata['c']:z");
  assert.equal(or.join, "or");
  assert.deepEqual(
    or.conditions.map((condition) => condition.value),
    ["1", "x y", "z"],
  );
  assert.match(refused("metadata['a']:1 AND metadata['b']:2 or metadata['c']:3"), /either AND or OR/);
});

test("a quoted value keeps what a bare one cannot: joiners, quotes (escaped), unicode, SQL", () => {
  assert.equal(parsed("metadata['a']:'salt AND pepper'").conditions[0].value, "salt AND pepper");
  assert.equal(parsed(`metadata['a']:'it\\'s "x"'`).conditions[0].value, `it's "x"`);
  assert.equal(parsed(`metadata['a']:"back\\\\slash"`).conditions[0].value, "back\\slash");
  assert.equal(parsed("metadata['a']:'naïve 商品 🚀'").conditions[0].value, "naïve 商品 🚀");
  assert.equal(parsed("metadata['a']:'x; DROP TABLE t; --'").conditions[0].value, "x; DROP TABLE t; --");
});

test("a bare value runs to the next AND or OR between spaces, as Dub splits it", () => {
  assert.equal(parsed("metadata['a']:x AND").conditions[0].value, "x AND");
  assert.equal(parsed("metadata['a']:x ANDy").conditions[0].value, "x ANDy");
});

test("blank text is no filter", () => {
  assert.equal(parseMetadataQuery(""), null);
  assert.equal(parseMetadataQuery(" \t "), null);
});

test("what it refuses, and why", () => {
  assert.match(refused("country:US"), /Field country is an unsupported search field/);
  assert.match(refused("metadata['a b']:x"), /Invalid metadata key/);
  assert.match(refused("metadata['a.b']:x"), /Invalid metadata key/);
  assert.match(refused("metadata['']:x"), /Invalid metadata key/);
  assert.match(refused("metadata[a]:x"), /quoted/);
  assert.match(refused("metadata['a':x"), /expected \]/);
  assert.match(refused("metadata['a']:'x"), /never closed/);
  assert.match(refused("metadata['a'] x"), /expected an operator/);
  assert.match(refused("metadata:x"), /expected metadata\['key'\]/);
  assert.match(refused("metadata['a']:''"), /has no value/);
  assert.match(refused("metadata['a']>x"), /compares numbers/);
  assert.match(refused("metadata['a']:'x'y"), /joined by AND or by OR/);
  assert.match(refused("metadata['a']:'x' AND "), /expected metadata/);
  const eleven = Array.from({ length: 11 }, (_, i) => `metadata['k${i}']:v`).join(" AND ");
  assert.match(refused(eleven), /Max: 10/);
  assert.equal(parsed(eleven.split(" AND ").slice(0, 10).join(" AND ")).conditions.length, 10);
});

test("any text parses or is refused with a message; keys are always plain words", () => {
  const pieces = fc.constantFrom(
    "metadata",
    "['a']",
    '["b"]',
    "[",
    "]",
    "'",
    '"',
    "\\",
    ":",
    "!=",
    ">",
    " AND ",
    " or ",
    " ",
    "x",
    "1.5",
    "é",
    "--",
    ";",
  );
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.array(pieces).map((parts) => parts.join("")),
      ),
      (text) => {
        const result = parseMetadataQuery(text);
        if (result === null) return text.trim() === "";
        if ("error" in result) return result.error.length > 0;
        return result.query.conditions.every(
          (condition) => condition.path.every((key) => /^[A-Za-z0-9_]+$/.test(key)) && condition.value !== "",
        );
      },
    ),
    { numRuns: 2000 },
  );
});
