// The smart-link decisions as pure functions: which traits a link needs, where a visitor goes (device, then
// country, then A/B variant, then url), how variants split 0–99, crawler detection and the password gate.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isUnlocked, passwordMatches, unlockToken } from "../../src/domain/clicks/password-gate.js";
import {
  isTestRunning,
  pickVariant,
  smartDestination,
  targetingNeeds,
  type VisitorTraits,
  variantBucket,
} from "../../src/domain/clicks/smart-destination.js";
import { isSocialCrawler } from "../../src/domain/clicks/social-crawlers.js";
import { type Link, newLink } from "../../src/domain/links/model.js";

const NOW = Date.UTC(2026, 5, 1);
const HOUR = 3_600_000;

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

const nobody: VisitorTraits = { os: null, country: null, bucket: null };
const variants = [
  { url: "https://a.example.com/", percentage: 30 },
  { url: "https://b.example.com/", percentage: 70 },
];
const smart = link({
  ios: "https://apps.apple.com/app/1",
  android: "https://play.google.com/store/apps/details?id=x",
  geo: { US: "https://us.example.com/", DE: "https://de.example.com/" },
  testVariants: variants,
});

describe("what a link needs to know of its visitor", () => {
  test("a plain link, or one with only a password, preview, cloaking or indexing, needs nothing", () => {
    assert.equal(targetingNeeds(link(), NOW), null);
    assert.equal(
      targetingNeeds(link({ password: "pw", proxy: true, rewrite: true, doIndex: true }), NOW),
      null,
    );
  });

  test("device targets need the OS, geo the country, a running test the visitor's bucket", () => {
    assert.deepEqual(targetingNeeds(link({ android: "https://x.example/" }), NOW), {
      os: true,
      country: false,
      bucket: false,
    });
    assert.deepEqual(targetingNeeds(link({ geo: { US: "https://x.example/" } }), NOW), {
      os: false,
      country: true,
      bucket: false,
    });
    assert.deepEqual(targetingNeeds(link({ testVariants: variants }), NOW), {
      os: false,
      country: false,
      bucket: true,
    });
  });

  test("a test runs from testStartedAt (or always) until testCompletedAt (or for good)", () => {
    assert.equal(isTestRunning(link({ testVariants: variants }), NOW), true);
    assert.equal(isTestRunning(link({ testVariants: variants, testStartedAt: NOW + HOUR }), NOW), false);
    assert.equal(isTestRunning(link({ testVariants: variants, testStartedAt: NOW }), NOW), true);
    assert.equal(isTestRunning(link({ testVariants: variants, testCompletedAt: NOW }), NOW), false);
    assert.equal(isTestRunning(link({ testVariants: variants, testCompletedAt: NOW + 1 }), NOW), true);
    assert.equal(targetingNeeds(link({ testVariants: variants, testCompletedAt: NOW - HOUR }), NOW), null);
  });
});

describe("where a visitor is sent", () => {
  test("iOS and Android devices go to their targets; other systems do not", () => {
    assert.equal(smartDestination(smart, { ...nobody, os: "iOS" }, NOW), smart.ios);
    assert.equal(smartDestination(smart, { ...nobody, os: "Android" }, NOW), smart.android);
    assert.equal(smartDestination(smart, { ...nobody, os: "Mac OS" }, NOW), smart.url);
    assert.equal(smartDestination(link({ ios: smart.ios }), { ...nobody, os: "Android" }, NOW), smart.url);
  });

  test("a country with a target goes there, whatever the case of its code; others go on", () => {
    assert.equal(smartDestination(smart, { ...nobody, country: "US" }, NOW), "https://us.example.com/");
    assert.equal(smartDestination(smart, { ...nobody, country: "de" }, NOW), "https://de.example.com/");
    assert.equal(smartDestination(smart, { ...nobody, country: "FR" }, NOW), smart.url);
    assert.equal(smartDestination(smart, { ...nobody, country: "Unknown" }, NOW), smart.url);
  });

  test("the device wins over the country, the country over the test variant", () => {
    assert.equal(smartDestination(smart, { os: "iOS", country: "US", bucket: 0 }, NOW), smart.ios);
    assert.equal(
      smartDestination(smart, { os: "Windows", country: "US", bucket: 0 }, NOW),
      "https://us.example.com/",
    );
    assert.equal(smartDestination(smart, { os: "Windows", country: "FR", bucket: 0 }, NOW), variants[0].url);
  });

  test("during the test a visitor's bucket picks the variant; before and after it, the url", () => {
    const test = link({ testVariants: variants, testStartedAt: NOW - HOUR, testCompletedAt: NOW + HOUR });
    assert.equal(smartDestination(test, { ...nobody, bucket: 29 }, NOW), variants[0].url);
    assert.equal(smartDestination(test, { ...nobody, bucket: 30 }, NOW), variants[1].url);
    assert.equal(smartDestination(test, { ...nobody, bucket: 30 }, NOW + HOUR), test.url);
    assert.equal(smartDestination(test, { ...nobody, bucket: 30 }, NOW - 2 * HOUR), test.url);
  });
});

describe("A/B variants", () => {
  test("the shares of 0–99 follow the variants' order and percentages", () => {
    const four = [10, 20, 30, 40].map((percentage, n) => ({ url: `https://${n}.example/`, percentage }));
    const counts = new Map<string, number>();
    for (let bucket = 0; bucket < 100; bucket++) {
      const url = pickVariant(four, bucket);
      counts.set(url, (counts.get(url) ?? 0) + 1);
    }
    assert.deepEqual(
      four.map((variant) => counts.get(variant.url)),
      [10, 20, 30, 40],
    );
  });

  test("a visitor keeps their bucket on a link; visitors spread over every bucket", () => {
    assert.equal(variantBucket("visitor-1", "link_1"), variantBucket("visitor-1", "link_1"));
    const buckets = new Set<number>();
    for (let n = 0; n < 2_000; n++) {
      const bucket = variantBucket(`visitor-${n}`, "link_1");
      assert.ok(Number.isInteger(bucket) && bucket >= 0 && bucket < 100);
      buckets.add(bucket);
    }
    assert.equal(buckets.size, 100);
  });

  test("a 30/70 split sends about 30 % of many visitors to the first variant", () => {
    let first = 0;
    for (let n = 0; n < 10_000; n++) {
      if (pickVariant(variants, variantBucket(`visitor-${n}`, "link_9")) === variants[0].url) first++;
    }
    assert.ok(first > 2_700 && first < 3_300, `${first} of 10000`);
  });
});

describe("social crawlers", () => {
  test("the preview fetchers of social networks and messengers are crawlers", () => {
    for (const ua of [
      "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
      "Twitterbot/1.0",
      "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
      "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
      "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
      "WhatsApp/2.23.20.0 A",
      "TelegramBot (like TwitterBot)",
    ]) {
      assert.equal(isSocialCrawler(ua), true, ua);
    }
  });

  test("browsers and search engines are not", () => {
    for (const ua of [
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
      "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
      "",
    ]) {
      assert.equal(isSocialCrawler(ua), false, ua);
    }
  });
});

describe("the password gate", () => {
  const locked = { id: "link_1", password: "open sesame" };

  test("only the exact password matches", () => {
    assert.equal(passwordMatches("open sesame", "open sesame"), true);
    assert.equal(passwordMatches("open sesame ", "open sesame"), false);
    assert.equal(passwordMatches("", "open sesame"), false);
    assert.equal(passwordMatches("Open sesame", "open sesame"), false);
  });

  test("a token unlocks its link until it expires", () => {
    const token = unlockToken("secret", locked, NOW);
    assert.equal(isUnlocked("secret", locked, token, NOW), true);
    assert.equal(isUnlocked("secret", locked, token, NOW + HOUR - 1000), true);
    assert.equal(isUnlocked("secret", locked, token, NOW + HOUR), false);
  });

  test("a token does not unlock another link, another password, or under another secret", () => {
    const token = unlockToken("secret", locked, NOW);
    assert.equal(isUnlocked("secret", { ...locked, id: "link_2" }, token, NOW), false);
    assert.equal(isUnlocked("secret", { ...locked, password: "changed" }, token, NOW), false);
    assert.equal(isUnlocked("other", locked, token, NOW), false);
  });

  test("a missing, forged or malformed token unlocks nothing", () => {
    const [expires] = unlockToken("secret", locked, NOW).split(".");
    for (const token of [
      undefined,
      "",
      "x",
      `${expires}.`,
      `${expires}.forged`,
      `${Number(expires) + 9}.x`,
    ]) {
      assert.equal(isUnlocked("secret", locked, token, NOW), false, String(token));
    }
  });
});
