import assert from "node:assert/strict";
import { test } from "node:test";
import { shouldTrack, type VisitSignals } from "../../src/domain/clicks/tracking-policy.js";
import { BROWSER_UA } from "../helpers/server.js";

const IPHONE_UA =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

const visit = (overrides: Partial<VisitSignals> = {}): VisitSignals => ({
  method: "GET",
  userAgent: BROWSER_UA,
  noTrackHeader: false,
  prefetch: false,
  query: {},
  ...overrides,
});

test("an ordinary browser GET is tracked, with or without an unrelated query", () => {
  assert.equal(shouldTrack(visit()), true);
  assert.equal(shouldTrack(visit({ userAgent: IPHONE_UA })), true);
  assert.equal(shouldTrack(visit({ query: { foo: "bar", qr: "1", utm_source: "x" } })), true);
});

test("only GET is a click: HEAD, POST and OPTIONS are not", () => {
  for (const method of ["HEAD", "POST", "OPTIONS", "PUT"])
    assert.equal(shouldTrack(visit({ method })), false, method);
});

test("dub-no-track as a header or a query parameter (any value, even empty) stops tracking", () => {
  assert.equal(shouldTrack(visit({ noTrackHeader: true })), false);
  assert.equal(shouldTrack(visit({ query: { "dub-no-track": "1" } })), false);
  assert.equal(shouldTrack(visit({ query: { "dub-no-track": "" } })), false);
  assert.equal(shouldTrack(visit({ query: { "dub-no-track-x": "1" } })), true, "only the exact name counts");
});

test("?bot marks a bot visit", () => {
  assert.equal(shouldTrack(visit({ query: { bot: "1" } })), false);
});

test("a prefetch or prerender is not a click", () => {
  assert.equal(shouldTrack(visit({ prefetch: true })), false);
});

test("crawlers, link unfurlers and HTTP libraries are bots", () => {
  const bots = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Twitterbot/1.0",
    "WhatsApp/2.23.20.0 A",
    "Discordbot/2.0",
    "LinkedInBot/1.0",
    "curl/8.5.0",
    "python-requests/2.31.0",
    "Go-http-client/1.1",
    "axios/1.6.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36",
  ];
  for (const userAgent of bots) assert.equal(shouldTrack(visit({ userAgent })), false, userAgent);
});

test("the policy is pure: the same signals always give the same answer and are not modified", () => {
  const signals = visit({ query: { foo: "bar" } });
  const copy = structuredClone(signals);
  assert.equal(shouldTrack(signals), shouldTrack(signals));
  assert.deepEqual(signals, copy);
});
