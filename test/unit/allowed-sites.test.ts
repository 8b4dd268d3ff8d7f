import assert from "node:assert/strict";
import { test } from "node:test";
import { isAllowedHostname, pageHostname } from "../../src/domain/workspaces/allowed-sites.js";

test("the page is the Referer's host, else the Origin's; headers that are no URL are skipped", () => {
  assert.equal(pageHostname("https://Shop.Example.com/a?b=c", "https://other.example"), "shop.example.com");
  assert.equal(pageHostname(undefined, "https://shop.example.com:8443"), "shop.example.com:8443");
  assert.equal(pageHostname("not a url", "https://shop.example.com"), "shop.example.com");
  assert.equal(pageHostname("", "null"), null);
  assert.equal(pageHostname(undefined, undefined), null);
});

test("an entry allows its host (www. ignored on both sides), a wildcard its subdomains and apex, nothing else", () => {
  const allowed = ["shop.example.com", "*.example.org", "www.news.example"];
  for (const host of [
    "shop.example.com",
    "www.shop.example.com",
    "shop.example.com:8443",
    "a.b.example.org",
    "example.org",
    "news.example",
  ])
    assert.ok(isAllowedHostname(host, allowed), host);
  for (const host of [
    "evil.example.net",
    "shop.example.com.evil.net",
    "evilexample.org",
    "example.com",
    "xshop.example.com",
  ])
    assert.ok(!isAllowedHostname(host, allowed), host);
});
