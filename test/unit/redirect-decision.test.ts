// The redirect decision as a pure function: a link that answers by itself never needs its domain; a missing,
// disabled or expired one falls back to the domain's address, else to the page; a root goes to the placeholder.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DUB_DEFAULT_PLACEHOLDER,
  decideRoot,
  decideVisit,
} from "../../src/domain/clicks/redirect-decision.js";
import type { DomainFallbacks } from "../../src/domain/domains/model.js";
import { type Link, newLink } from "../../src/domain/links/model.js";

const NOW = Date.UTC(2026, 5, 1);

const link = (fields: Partial<Link> = {}): Link =>
  newLink({
    id: "link_1",
    workspaceId: "ws_1",
    domain: "go.example.com",
    key: "k",
    url: "https://shop.example.com/",
    createdAt: 0,
    ...fields,
  });

const domain: DomainFallbacks = {
  placeholder: "https://example.com/welcome",
  expiredUrl: "https://example.com/expired",
  notFoundUrl: "https://example.com/missing",
};
const bare: DomainFallbacks = { placeholder: null, expiredUrl: null, notFoundUrl: null };
const expired = { expiresAt: NOW - 1 };

describe("a visit to a key", () => {
  test("a live link is followed without asking for its domain, whatever the domain says", () => {
    const live = link({ expiresAt: NOW + 1 });
    for (const fallbacks of [undefined, null, bare, domain]) {
      assert.deepEqual(decideVisit(live, NOW, fallbacks), { kind: "follow", link: live });
    }
  });

  test("an expired link with a usable expiredUrl of its own goes there without asking for its domain", () => {
    const own = link({ ...expired, expiredUrl: "https://own.example/gone" });
    for (const fallbacks of [undefined, domain]) {
      assert.deepEqual(decideVisit(own, NOW, fallbacks), {
        kind: "fallback",
        location: "https://own.example/gone",
      });
    }
  });

  test("a link expires at its expiresAt exactly", () => {
    assert.equal(decideVisit(link({ expiresAt: NOW }), NOW, domain).kind, "fallback");
    assert.equal(decideVisit(link({ expiresAt: NOW + 1 }), NOW, domain).kind, "follow");
  });

  test("no link, a disabled link or an expired link without its own address asks for the domain first", () => {
    for (const subject of [null, link({ disabledAt: NOW - 5 }), link(expired)]) {
      assert.deepEqual(decideVisit(subject, NOW, undefined), { kind: "ask_domain" });
    }
  });

  test("an unknown key or a disabled link goes to the domain's notFoundUrl", () => {
    for (const subject of [null, link({ disabledAt: NOW - 5 })]) {
      assert.deepEqual(decideVisit(subject, NOW, domain), {
        kind: "fallback",
        location: "https://example.com/missing",
      });
    }
  });

  test("an expired link without its own address goes to the domain's expiredUrl", () => {
    assert.deepEqual(decideVisit(link(expired), NOW, domain), {
      kind: "fallback",
      location: "https://example.com/expired",
    });
  });

  test("without a fallback (no custom domain, or none set) the pages answer as before", () => {
    for (const fallbacks of [null, bare]) {
      assert.deepEqual(decideVisit(null, NOW, fallbacks), { kind: "not_found" });
      assert.deepEqual(decideVisit(link(expired), NOW, fallbacks), { kind: "expired" });
    }
  });

  test("an unusable stored address counts as none: the link's own expiredUrl yields to the domain's", () => {
    const broken = link({ ...expired, expiredUrl: "not a url" });
    assert.deepEqual(decideVisit(broken, NOW, undefined), { kind: "ask_domain" });
    assert.deepEqual(decideVisit(broken, NOW, domain), {
      kind: "fallback",
      location: "https://example.com/expired",
    });
    assert.deepEqual(decideVisit(null, NOW, { ...bare, notFoundUrl: "::" }), { kind: "not_found" });
  });

  test("a fallback address is serialised for a Location header", () => {
    const decision = decideVisit(null, NOW, { ...bare, notFoundUrl: "https://例え.jp/ページ?q=a b" });
    assert.deepEqual(decision, {
      kind: "fallback",
      location: "https://xn--r8jz45g.jp/%E3%83%9A%E3%83%BC%E3%82%B8?q=a%20b",
    });
  });
});

describe("a visit to a root", () => {
  test("goes to the domain's placeholder", () => {
    assert.deepEqual(decideRoot(domain), { kind: "fallback", location: "https://example.com/welcome" });
  });

  test("is the home page without a domain, without a placeholder, or with Dub's default one", () => {
    for (const fallbacks of [null, bare, { ...domain, placeholder: DUB_DEFAULT_PLACEHOLDER }]) {
      assert.deepEqual(decideRoot(fallbacks), { kind: "home" });
    }
  });
});
