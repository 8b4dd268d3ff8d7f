import assert from "node:assert/strict";
import { test } from "node:test";
import { buildDestination, redirectTarget, utmOf } from "../../src/domain/clicks/destination.js";

const CLICK_ID = "GWGrkftJdYlZD2mq";
const VISITOR = { ip: "203.0.113.7", userAgent: "Mozilla/5.0 (Linux; Android 14)" };

test("without a query or a click id the destination is unchanged", () => {
  assert.equal(buildDestination("https://example.com/page?a=1#top"), "https://example.com/page?a=1#top");
});

test("dub_id is appended when a click id is given, after the destination's own query", () => {
  const result = new URL(buildDestination("https://example.com/page?a=1&b=2", { clickId: CLICK_ID }));
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
    buildDestination("https://example.com/p#section", { query: { foo: "bar" }, clickId: CLICK_ID }),
    `https://example.com/p?foo=bar&dub_id=${CLICK_ID}#section`,
  );
});

test("a visitor's parameter replaces the destination's own where it stands, as Dub does", () => {
  assert.equal(
    buildDestination("https://www.checklyhq.com/?utm_source=dub&utm_medium=social&utm_campaign=checks", {
      query: { utm_source: "checkly" },
    }),
    "https://www.checklyhq.com/?utm_source=checkly&utm_medium=social&utm_campaign=checks",
  );
});

test("a replaced parameter's repeats go; other parameters keep their bytes; new ones are appended", () => {
  assert.equal(
    buildDestination("https://example.com/?a=1%202&ref=old&z=~&ref=older", { query: { ref: "new", x: "y" } }),
    "https://example.com/?a=1%202&ref=new&z=~&x=y",
  );
});

test("dub-no-track, redir_url and qr=1 are not forwarded; another qr value is", () => {
  const result = new URL(
    buildDestination("https://example.com/", {
      query: { "dub-no-track": "1", qr: "1", redir_url: "https://elsewhere.example/", foo: "bar" },
    }),
  );
  assert.deepEqual([...result.searchParams], [["foo", "bar"]]);
  assert.equal(
    new URL(buildDestination("https://example.com/", { query: { qr: "menu" } })).search,
    "?qr=menu",
  );
});

test("a dub_id the visitor or destination supplies is replaced by the real click id", () => {
  const result = new URL(
    buildDestination("https://example.com/?dub_id=stale", { query: { dub_id: "forged" }, clickId: CLICK_ID }),
  );
  assert.deepEqual(result.searchParams.getAll("dub_id"), [CLICK_ID]);
});

test("values that need escaping arrive intact", () => {
  const value = "a b&c=d/é?#";
  const result = new URL(buildDestination("https://example.com/", { query: { q: value, "we ird": "x" } }));
  assert.equal(result.searchParams.get("q"), value);
  assert.equal(result.searchParams.get("we ird"), "x");
  assert.equal(result.hash, "");
});

test("the destination's own query is kept byte for byte when parameters are added (signed URLs)", () => {
  const signed =
    "https://bucket.s3.amazonaws.com/file.pdf?X-Amz-Credential=AKIA%2F20240101%2Fus-east-1&X-Amz-Signature=ab~cd&name=a%20b&flag";
  assert.equal(buildDestination(signed, { clickId: CLICK_ID }), `${signed}&dub_id=${CLICK_ID}`);
  assert.equal(buildDestination(signed, { query: { foo: "bar" } }), `${signed}&foo=bar`);
});

test("a Stripe Payment Link marked dub_client_reference_id=1 gets client_reference_id=dub_id_<clickId>, no dub_id", () => {
  const result = new URL(
    buildDestination("https://buy.stripe.com/test_abc?dub_client_reference_id=1&prefilled_email=a%40b.c", {
      clickId: CLICK_ID,
    }),
  );
  assert.deepEqual(
    [...result.searchParams],
    [
      ["prefilled_email", "a@b.c"],
      ["client_reference_id", `dub_id_${CLICK_ID}`],
    ],
  );
});

test("the Stripe marker is consumed even without a click id, and a visitor cannot set the reference", () => {
  assert.equal(
    buildDestination("https://buy.stripe.com/x?dub_client_reference_id=1"),
    "https://buy.stripe.com/x",
  );
  const forged = new URL(
    buildDestination("https://buy.stripe.com/x?dub_client_reference_id=1", {
      query: { client_reference_id: "dub_id_someoneelse" },
      clickId: CLICK_ID,
    }),
  );
  assert.deepEqual(forged.searchParams.getAll("client_reference_id"), [`dub_id_${CLICK_ID}`]);
});

test("a Play Store URL gets an install referrer with deepLink (the short link and its query) and dub_id", () => {
  const result = new URL(
    buildDestination("https://play.google.com/store/apps/details?id=com.example.app", {
      query: { utm_source: "news" },
      clickId: CLICK_ID,
      shortLink: "https://go.example/app",
    }),
  );
  assert.equal(result.searchParams.get("id"), "com.example.app");
  const referrer = new URLSearchParams(decodeURIComponent(result.searchParams.get("referrer") ?? ""));
  assert.equal(referrer.get("deepLink"), "https://go.example/app?utm_source=news");
  assert.equal(referrer.get("dub_id"), CLICK_ID);
  assert.match(result.search, /&referrer=deepLink%3Dhttps%253A%252F%252Fgo\.example%252Fapp/);
});

test("a Play Store URL keeps its own referrer parameters and, untracked, carries no dub_id", () => {
  const result = new URL(
    buildDestination(
      "https://play.google.com/store/apps/details?id=com.example.app&referrer=utm_source%3Dgoogle",
      { shortLink: "https://dub.sh/gps-with-referrer" },
    ),
  );
  const referrer = new URLSearchParams(decodeURIComponent(result.searchParams.get("referrer") ?? ""));
  assert.equal(referrer.get("utm_source"), "google");
  assert.equal(referrer.get("deepLink"), "https://dub.sh/gps-with-referrer");
  assert.equal(referrer.get("dub_id"), null);
});

test("an AppsFlyer OneLink gets clickid, af_ua and af_ip; its own campaign parameters stay", () => {
  const result = new URL(
    buildDestination("https://example.onelink.me/AbCd?pid=dub&c=spring", { clickId: CLICK_ID, ...VISITOR }),
  );
  assert.equal(result.searchParams.get("pid"), "dub");
  assert.equal(result.searchParams.get("c"), "spring");
  assert.equal(result.searchParams.get("clickid"), CLICK_ID);
  assert.equal(result.searchParams.get("af_ua"), VISITOR.userAgent);
  assert.equal(result.searchParams.get("af_ip"), VISITOR.ip);
});

test("a Singular link gets cl, ua and ip; its {via} and {dub_id} templates are filled", () => {
  const result = new URL(
    buildDestination("https://example.sng.link/Abc/def?wpcn={via}&wpcl={dub_id}&_dl=app://x", {
      clickId: CLICK_ID,
      ...VISITOR,
    }),
  );
  assert.equal(result.searchParams.get("cl"), CLICK_ID);
  assert.equal(result.searchParams.get("ua"), VISITOR.userAgent);
  assert.equal(result.searchParams.get("ip"), VISITOR.ip);
  assert.equal(result.searchParams.get("wpcl"), CLICK_ID);
  assert.equal(result.searchParams.get("wpcn"), "");
  assert.equal(result.searchParams.get("_dl"), "app://x");
});

test("app links on other hosts are left alone", () => {
  assert.equal(
    buildDestination("https://onelink.me.example.com/x?c=1", { ...VISITOR }),
    "https://onelink.me.example.com/x?c=1",
  );
});

test("redir_url replaces the destination only with an http(s) page of the destination's own host", () => {
  const destination = "https://dub.co/";
  assert.equal(redirectTarget("https://dub.co/blog", destination), "https://dub.co/blog");
  assert.equal(redirectTarget("dub.co/blog", destination), "https://dub.co/blog");
  assert.equal(redirectTarget("https://evil.example/phish", destination), null);
  assert.equal(redirectTarget("javascript:alert(1)//dub.co", destination), null);
  assert.equal(redirectTarget("https://dub.co.evil.example/", destination), null);
  assert.equal(redirectTarget("https://dub.co@evil.example/", destination), null);
  assert.equal(redirectTarget("not a url", destination), null);
  assert.equal(
    buildDestination(destination, { query: { redir_url: "https://dub.co/blog" } }),
    "https://dub.co/blog",
  );
  assert.equal(
    buildDestination(destination, { query: { redir_url: "https://evil.example/" } }),
    "https://dub.co/",
  );
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
