import assert from "node:assert/strict";
import { test } from "node:test";
import { buildDestination, utmOf } from "../../src/domain/clicks/destination.js";

const CLICK_ID = "GWGrkftJdYlZD2mq";

test("without a query or a click id the destination is unchanged", () => {
  assert.equal(
    buildDestination("https://example.com/page?a=1#top", {}, null),
    "https://example.com/page?a=1#top",
  );
});

test("dub_id is appended when a click id is given, after the destination's own query", () => {
  const result = new URL(buildDestination("https://example.com/page?a=1&b=2", {}, CLICK_ID));
  assert.deepEqual(
    [...result.searchParams],
    [
      ["a", "1"],
      ["b", "2"],
      ["dub_id", CLICK_ID],
    ],
  );
  assert.equal(result.pathname, "/page");
});

test("a destination with a fragment keeps it after the added query", () => {
  assert.equal(
    buildDestination("https://example.com/p#section", { foo: "bar" }, CLICK_ID),
    `https://example.com/p?foo=bar&dub_id=${CLICK_ID}#section`,
  );
});

test("the short link's query is passed through and wins over the destination's value", () => {
  const result = new URL(
    buildDestination("https://example.com/?ref=link&keep=1", { ref: "visitor", foo: "bar" }, null),
  );
  assert.equal(result.searchParams.get("ref"), "visitor");
  assert.equal(result.searchParams.getAll("ref").length, 1);
  assert.equal(result.searchParams.get("keep"), "1");
  assert.equal(result.searchParams.get("foo"), "bar");
});

test("dub-no-track and qr are not forwarded", () => {
  const result = new URL(
    buildDestination("https://example.com/", { "dub-no-track": "1", qr: "1", foo: "bar" }, null),
  );
  assert.deepEqual([...result.searchParams], [["foo", "bar"]]);
});

test("a dub_id the visitor or destination supplies is replaced by the real click id", () => {
  const result = new URL(
    buildDestination("https://example.com/?dub_id=stale", { dub_id: "forged" }, CLICK_ID),
  );
  assert.deepEqual(result.searchParams.getAll("dub_id"), [CLICK_ID]);
});

test("values that need escaping arrive intact", () => {
  const value = "a b&c=d/é?#";
  const result = new URL(buildDestination("https://example.com/", { q: value, "we ird": "x" }, null));
  assert.equal(result.searchParams.get("q"), value);
  assert.equal(result.searchParams.get("we ird"), "x");
  assert.equal(result.hash, "");
});

test("the destination's own query is kept byte for byte when parameters are added (signed URLs)", () => {
  const signed =
    "https://bucket.s3.amazonaws.com/file.pdf?X-Amz-Credential=AKIA%2F20240101%2Fus-east-1&X-Amz-Signature=ab~cd&name=a%20b&flag";
  const result = buildDestination(signed, {}, CLICK_ID);
  assert.equal(result, `${signed}&dub_id=${CLICK_ID}`);
  const passed = buildDestination(signed, { foo: "bar" }, null);
  assert.equal(passed, `${signed}&foo=bar`);
});

test("an overridden destination parameter is replaced without touching the others", () => {
  const result = buildDestination("https://example.com/?a=1%202&ref=old&z=~", { ref: "new" }, null);
  assert.equal(result, "https://example.com/?a=1%202&z=~&ref=new");
});

test("utmOf reads the five utm parameters of a URL, null when absent", () => {
  assert.deepEqual(
    utmOf(
      "https://example.com/?utm_source=news&utm_medium=email&utm_campaign=spring%20sale&utm_term=a&utm_content=b",
    ),
    { utmSource: "news", utmMedium: "email", utmCampaign: "spring sale", utmTerm: "a", utmContent: "b" },
  );
  assert.deepEqual(utmOf("https://example.com/?utm_source=x"), {
    utmSource: "x",
    utmMedium: null,
    utmCampaign: null,
    utmTerm: null,
    utmContent: null,
  });
});
