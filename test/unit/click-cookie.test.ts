import assert from "node:assert/strict";
import { test } from "node:test";
import { clickCookie, isClickIdShape } from "../../src/domain/clicks/click-cookie.js";
import { hasUnreachableSegment, isReservedKey, keyOfPath } from "../../src/domain/links/rules.js";

test("the click cookie is Dub's dub_id_<domain>_<key>, scoped to the link's path", () => {
  assert.deepEqual(clickCookie({ domain: "Go.Example", key: "conversion/tracking" }), {
    name: "dub_id_go.example_conversion/tracking",
    path: "/conversion/tracking",
  });
  assert.deepEqual(clickCookie({ domain: "localhost:8080", key: "abc" }), {
    name: "dub_id_localhost:8080_abc",
    path: "/abc",
  });
});

test("characters a cookie header cannot carry are percent-encoded in its name and path", () => {
  const cookie = clickCookie({ domain: "go.example", key: "한글;a=b" });
  assert.match(cookie.name, /^[\x21-\x7e]+$/);
  assert.doesNotMatch(cookie.name.slice("dub_id_".length), /[;=]/);
  assert.equal(cookie.path, "/%ED%95%9C%EA%B8%80%3Ba=b");
});

test("only click-id shaped values are looked up", () => {
  assert.equal(isClickIdShape("GWGrkftJdYlZD2mq"), true);
  assert.equal(isClickIdShape(""), false);
  assert.equal(isClickIdShape("a b"), false);
  assert.equal(isClickIdShape("x".repeat(65)), false);
});

test("nested keys: empty, . and .. segments are unreachable", () => {
  assert.equal(hasUnreachableSegment("docs/setup"), false);
  for (const key of ["/docs", "docs/", "docs//setup", "docs/../api", "./x", ".", ".."]) {
    assert.equal(hasUnreachableSegment(key), true, key);
  }
});

test("a nested key may not start with a folder the server serves; a reserved page name is only reserved alone", () => {
  assert.equal(isReservedKey("api/links"), true);
  assert.equal(isReservedKey("APP/x"), true);
  assert.equal(isReservedKey("docs"), true);
  assert.equal(isReservedKey("docs/setup"), false);
  assert.equal(isReservedKey("apple/pie"), false);
});

test("keyOfPath names the key a visit's path asks for, or null", () => {
  assert.equal(keyOfPath("docs/setup"), "docs/setup");
  assert.equal(keyOfPath("abc"), "abc");
  for (const path of ["", "api/x", "favicon.ico", "a//b", "a/../b", "a/"])
    assert.equal(keyOfPath(path), null, path);
});
