// Smart links through the real `dub` SDK and real visits: password pages, device and country targets, A/B
// variants (and the conversions they earn), previews for social crawlers, cloaking and doIndex.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Dub } from "dub";
import type { LeadEvent } from "dub/models/operations";
import { PASSWORD_ATTEMPTS_PER_MINUTE } from "../../src/domain/clicks/password-gate.js";
import { rejection } from "../helpers/rejection.js";
import { decodeAs, SEED_LINK } from "../helpers/seed-go-decoder.js";
import { BROWSER_UA, startServer, type TestServer, visit } from "../helpers/server.js";

const IPHONE_UA =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const ANDROID_UA =
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36";
const FACEBOOK_UA = "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)";
const SEED_GO_UA = "speakeasy-sdk/go 0.9.7 2.404.3 0.0.1 github.com/dubinc/dub-go";
const HOUR = 3_600_000;

let server: TestServer; // TRUST_PROXY: X-Forwarded-For and cf-ipcountry name the visitor
let dub: Dub;

before(async () => {
  server = await startServer({ TRUST_PROXY: "true" });
  dub = server.sdk();
});
after(async () => server?.stop());

/** Each visit from its own address (TEST-NET-3) unless a test means the same visitor. */
let nextAddress = 0;
const freshIp = () => {
  nextAddress += 1;
  return `203.0.${Math.floor(nextAddress / 250)}.${(nextAddress % 250) + 1}`;
};

const from = (ip: string, headers: Record<string, string> = {}) => ({
  headers: { "x-forwarded-for": ip, ...headers },
});

const clicksOf = (linkId: string) =>
  server.query<{ id: string; url: string; country: string }>(
    "select id, url, country from clicks where link_id = ? order by timestamp, id",
    linkId,
  );

/** The Location without the click id the redirect appends. */
const sentTo = (response: Response) => {
  const location = response.headers.get("location");
  assert.ok(location, `expected a Location (status ${response.status})`);
  const url = new URL(location);
  const clickId = url.searchParams.get("dub_id");
  url.searchParams.delete("dub_id");
  return { url: url.toString(), clickId };
};

const postPassword = (path: string, password: string, ip: string, headers: Record<string, string> = {}) =>
  fetch(`${server.origin}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "user-agent": BROWSER_UA,
      "x-forwarded-for": ip,
      "content-type": "application/x-www-form-urlencoded",
      ...headers,
    },
    body: new URLSearchParams({ password }).toString(),
  });

describe("the API takes and shows every smart option", () => {
  test("links.create keeps them all; links.get shows them as set (the password to its owner)", async () => {
    const created = await dub.links.create({
      url: "https://example.com/smart",
      password: "p4ss word",
      ios: "https://apps.apple.com/app/id1",
      android: "https://play.google.com/store/apps/details?id=app",
      geo: { US: "https://example.com/us", XK: "https://example.com/xk" },
      testVariants: [
        { url: "https://example.com/a", percentage: 40 },
        { url: "https://example.com/b", percentage: 60 },
      ],
      testStartedAt: "2026-01-01T00:00:00Z",
      testCompletedAt: "2099-01-01T00:00:00Z",
      proxy: true,
      rewrite: true,
      doIndex: true,
      title: "A title",
    });
    const fetched = await dub.links.get({ linkId: created.id });
    for (const link of [created, fetched]) {
      assert.equal(link.password, "p4ss word");
      assert.equal(link.ios, "https://apps.apple.com/app/id1");
      assert.equal(link.android, "https://play.google.com/store/apps/details?id=app");
      assert.deepEqual(link.geo, { US: "https://example.com/us", XK: "https://example.com/xk" });
      assert.deepEqual(link.testVariants, [
        { url: "https://example.com/a", percentage: 40 },
        { url: "https://example.com/b", percentage: 60 },
      ]);
      assert.equal(link.testStartedAt, "2026-01-01T00:00:00.000Z");
      assert.equal(link.testCompletedAt, "2099-01-01T00:00:00.000Z");
      assert.deepEqual([link.proxy, link.rewrite, link.doIndex], [true, true, true]);
    }
  });

  test("links.update sets and clears them; an unchanged upsert keeps them", async () => {
    const link = await dub.links.create({ url: "https://example.com/later" });
    const set = await dub.links.update(link.id, {
      geo: { DE: "https://example.com/de" },
      password: "later",
      proxy: true,
    });
    assert.deepEqual(set.geo, { DE: "https://example.com/de" });
    assert.equal(set.password, "later");
    assert.equal(set.proxy, true);
    const same = await dub.links.upsert({
      url: "https://example.com/later",
      geo: { DE: "https://example.com/de" },
    });
    assert.equal(same.updatedAt, set.updatedAt, "nothing changed, nothing written");
    const cleared = await dub.links.update(link.id, { geo: null, password: null, proxy: false });
    assert.deepEqual([cleared.geo, cleared.password, cleared.proxy], [null, null, false]);
  });

  test("invalid options are Dub's 422 and change nothing", async () => {
    const url = "https://example.com/invalid";
    const cases: Record<string, unknown>[] = [
      { geo: { USA: "https://example.com/us" } },
      { geo: { us: "https://example.com/us" } },
      { geo: { US: "javascript:alert(1)" } },
      { ios: "not a url" },
      { android: "ftp://example.com/app" },
      { password: "x".repeat(129) },
      { testVariants: [{ url: "https://example.com/a", percentage: 100 }] },
      {
        testVariants: [
          { url: "https://example.com/a", percentage: 50 },
          { url: "https://example.com/b", percentage: 40 },
        ],
      },
      {
        testVariants: [10, 20, 20, 20, 30].map((percentage, n) => ({
          url: `https://example.com/${n}`,
          percentage,
        })),
      },
      {
        testVariants: [
          { url: "https://example.com/a", percentage: 5 },
          { url: "https://example.com/b", percentage: 95 },
        ],
      },
      {
        testVariants: [
          { url: "https://example.com/a", percentage: 50 },
          { url: "data:text/html,x", percentage: 50 },
        ],
      },
      { testCompletedAt: "2026-01-01T00:00:00Z", testStartedAt: "2026-02-01T00:00:00Z" },
    ];
    for (const extra of cases) {
      await rejection(dub.links.create({ url, ...extra } as never), 422, {
        what: JSON.stringify(extra),
        message: new RegExp(`: ${Object.keys(extra)[0]}\\b`),
      });
    }
    const link = await dub.links.create({ url, testStartedAt: "2026-02-01T00:00:00Z" });
    await rejection(dub.links.update(link.id, { testCompletedAt: "2026-01-15T00:00:00Z" }), 422);
    assert.deepEqual(await dub.links.get({ linkId: link.id }), link);
  });

  test("seed-era link JSON decodes in the Go SDK's LinkSchema, its always-sent false flags accepted", async () => {
    const response = await fetch(`${server.origin}/api/links`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${server.key}`,
        "content-type": "application/json",
        "user-agent": SEED_GO_UA,
      },
      body: JSON.stringify({
        url: "https://example.com/seed",
        password: "go",
        ios: "https://apps.apple.com/app/id2",
        geo: { FR: "https://example.com/fr" },
        trackConversion: false,
        archived: false,
        publicStats: false,
        proxy: false,
        rewrite: false,
        doIndex: false,
      }),
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as Record<string, unknown>;
    decodeAs(body, SEED_LINK);
    for (const key of ["password", "proxy", "rewrite", "doIndex", "ios", "android", "geo"]) {
      assert.ok(SEED_LINK.keys[key] && key in body, key);
    }
    assert.equal(body.password, "go");
    assert.deepEqual(body.geo, { FR: "https://example.com/fr" });
  });
});

describe("a password-protected link", () => {
  let link: Awaited<ReturnType<Dub["links"]["create"]>>;
  before(async () => {
    link = await dub.links.create({
      url: "https://secret.example.com/hidden-place?token=abc",
      key: "locked",
      password: "correct horse",
      trackConversion: true,
    });
  });

  test("answers a password page that never shows the destination, and records no click", async () => {
    const response = await visit(server, "/locked?ref=x", from(freshIp()));
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
    assert.equal(response.headers.get("location"), null);
    assert.equal(response.headers.get("x-robots-tag"), "noindex");
    const page = await response.text();
    assert.match(page, /<form method="post">/);
    assert.match(page, /type="password" name="password"/);
    for (const secret of ["secret.example.com", "hidden-place", "token=abc", "correct horse"]) {
      assert.ok(!page.includes(secret), secret);
    }
    assert.deepEqual(await clicksOf(link.id), []);
  });

  test("a wrong password gets the page again (403), without the destination", async () => {
    const response = await postPassword("/locked", "wrong", freshIp());
    assert.equal(response.status, 403);
    const page = await response.text();
    assert.match(page, /Wrong password/);
    assert.ok(!page.includes("secret.example.com"));
    assert.deepEqual(await clicksOf(link.id), []);
  });

  test("the right password redirects with a tracked click, and its cookie lets the browser back in", async () => {
    const ip = freshIp();
    const response = await postPassword("/locked?ref=x", "correct horse", ip);
    assert.equal(response.status, 302);
    const { url, clickId } = sentTo(response);
    assert.equal(url, "https://secret.example.com/hidden-place?token=abc&ref=x");
    assert.ok(clickId);
    const clicks = await clicksOf(link.id);
    assert.deepEqual(
      clicks.map((click) => click.id),
      [clickId],
    );
    const cookie = response.headers.getSetCookie().find((line) => line.startsWith("ct_unlock_")) ?? "";
    assert.match(
      cookie,
      new RegExp(`^ct_unlock_${link.id}=[^;]+; Max-Age=3600; Path=/; HttpOnly; SameSite=Lax$`),
    );

    const again = await visit(server, "/locked", from(ip, { cookie: cookie.split(";")[0] }));
    assert.equal(again.status, 302);
    assert.equal(sentTo(again).url, "https://secret.example.com/hidden-place?token=abc");
    const forged = await visit(
      server,
      "/locked",
      from(ip, { cookie: `${cookie.split("=")[0]}=9999999999.forged` }),
    );
    assert.equal(forged.status, 200);
    assert.ok(!(await forged.text()).includes("secret.example.com"));

    await dub.links.update(link.id, { password: "a new one" });
    const changed = await visit(server, "/locked", from(ip, { cookie: cookie.split(";")[0] }));
    assert.equal(changed.status, 200, "a changed password locks the old cookie out");
    await dub.links.update(link.id, { password: "correct horse" });
  });

  test(`tries are throttled per link and visitor: the ${PASSWORD_ATTEMPTS_PER_MINUTE + 1}th in a minute is a 429, even the right one`, async () => {
    const guesser = freshIp();
    for (let n = 0; n < PASSWORD_ATTEMPTS_PER_MINUTE; n++) {
      assert.equal((await postPassword("/locked", `guess ${n}`, guesser)).status, 403, `try ${n + 1}`);
    }
    const refused = await postPassword("/locked", "correct horse", guesser);
    assert.equal(refused.status, 429);
    assert.match(refused.headers.get("retry-after") ?? "", /^\d+$/);
    assert.ok(Number(refused.headers.get("retry-after")) <= 60);
    assert.ok(!(await refused.text()).includes("secret.example.com"));
    assert.equal((await postPassword("/locked", "correct horse", freshIp())).status, 302, "another visitor");
  });
});

describe("targets by device and country", () => {
  let link: Awaited<ReturnType<Dub["links"]["create"]>>;
  before(async () => {
    link = await dub.links.create({
      url: "https://example.com/default",
      key: "targeted",
      trackConversion: true,
      ios: "https://apps.apple.com/app/id42",
      android: "https://play.google.com/store/apps/details?id=x",
      geo: { US: "https://example.com/us", DE: "https://example.com/de" },
    });
  });

  test("an iPhone goes to the iOS target, an Android phone to the Android one; the clicks say so", async () => {
    const iphone = await visit(
      server,
      "/targeted",
      from(freshIp(), { "user-agent": IPHONE_UA, "cf-ipcountry": "US" }),
    );
    const android = await visit(server, "/targeted", from(freshIp(), { "user-agent": ANDROID_UA }));
    assert.equal(sentTo(iphone).url, "https://apps.apple.com/app/id42");
    // a Play Store target also gets its install referrer (test/api/redirect-rewriting.test.ts)
    assert.match(sentTo(android).url, /^https:\/\/play\.google\.com\/store\/apps\/details\?id=x&referrer=/);
    const clicks = await clicksOf(link.id);
    const urlOf = (response: Response) => clicks.find((click) => click.id === sentTo(response).clickId)?.url;
    assert.equal(urlOf(iphone), "https://apps.apple.com/app/id42");
    assert.equal(urlOf(android), "https://play.google.com/store/apps/details?id=x");
  });

  test("a desktop visitor goes to their country's target, or to the url", async () => {
    const us = await visit(server, "/targeted", from(freshIp(), { "cf-ipcountry": "US" }));
    const de = await visit(server, "/targeted", from(freshIp(), { "cf-ipcountry": "de" }));
    const fr = await visit(server, "/targeted", from(freshIp(), { "cf-ipcountry": "FR" }));
    assert.equal(sentTo(us).url, "https://example.com/us");
    assert.equal(sentTo(de).url, "https://example.com/de");
    assert.equal(sentTo(fr).url, "https://example.com/default");
    const clicks = await clicksOf(link.id);
    const click = clicks.find((row) => row.id === sentTo(us).clickId);
    assert.deepEqual([click?.url, click?.country], ["https://example.com/us", "US"]);
  });
});

describe("A/B test variants", () => {
  const variants = [
    { url: "https://example.com/variant-a", percentage: 50 },
    { url: "https://example.com/variant-b", percentage: 50 },
  ];

  test("visitors are split between the variants, each keeps theirs, and each click records its variant", async () => {
    const link = await dub.links.create({
      url: "https://example.com/main",
      trackConversion: true,
      testVariants: variants,
      testCompletedAt: new Date(Date.now() + HOUR).toISOString(),
    });
    const seen = new Map<string, string>();
    for (let n = 0; n < 30; n++) {
      const ip = freshIp();
      const first = sentTo(await visit(server, `/${link.key}`, from(ip)));
      const second = sentTo(await visit(server, `/${link.key}`, from(ip)));
      assert.equal(second.url, first.url, "the same visitor gets the same variant");
      seen.set(first.clickId ?? "", first.url);
    }
    assert.deepEqual(new Set(seen.values()), new Set(variants.map((variant) => variant.url)));
    const clicks = await clicksOf(link.id);
    assert.equal(clicks.length, 30);
    for (const click of clicks) assert.equal(click.url, seen.get(click.id));
  });

  test("a lead tracked with a variant's click id is attributed to that variant", async () => {
    const link = await dub.links.create({
      url: "https://example.com/main-lead",
      trackConversion: true,
      testVariants: variants,
      testStartedAt: new Date(Date.now() - HOUR).toISOString(),
      testCompletedAt: new Date(Date.now() + HOUR).toISOString(),
    });
    const { url, clickId } = sentTo(await visit(server, `/${link.key}`, from(freshIp())));
    assert.ok(clickId && variants.some((variant) => variant.url === url));
    await dub.track.lead({ clickId, eventName: "Sign up", customerExternalId: `variant-${clickId}` });
    const events = (await dub.events.list({ event: "leads", linkId: link.id })) as LeadEvent[];
    assert.equal(events.length, 1);
    assert.equal(events[0].click.url, url);
    assert.equal(events[0].click.id, clickId);
  });

  test("before the test starts and after it completes, everyone goes to the url", async () => {
    for (const window of [
      { testStartedAt: new Date(Date.now() + HOUR).toISOString() },
      {
        testStartedAt: new Date(Date.now() - 2 * HOUR).toISOString(),
        testCompletedAt: new Date(Date.now() - HOUR).toISOString(),
      },
    ]) {
      const link = await dub.links.create({
        url: "https://example.com/main-only",
        testVariants: variants,
        ...window,
      });
      for (let n = 0; n < 5; n++) {
        const response = await visit(server, `/${link.key}`, from(freshIp()));
        assert.equal(sentTo(response).url, "https://example.com/main-only");
      }
    }
  });
});

describe("previews, cloaking and indexing", () => {
  test("with proxy, social crawlers get the escaped Open Graph card and no click; people the redirect", async () => {
    const link = await dub.links.create({
      url: "https://example.com/behind-preview",
      proxy: true,
      title: `Tom & "Jerry" <script>alert(1)</script>`,
      description: "It's <b>bold</b>",
      image: "https://img.example.com/card.png?a=1&b=2",
    });
    for (const ua of [
      FACEBOOK_UA,
      "Twitterbot/1.0",
      "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    ]) {
      const response = await visit(server, `/${link.key}`, from(freshIp(), { "user-agent": ua }));
      assert.equal(response.status, 200, ua);
      assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
      const page = await response.text();
      assert.ok(
        page.includes(
          '<meta property="og:title" content="Tom &amp; &quot;Jerry&quot; &lt;script&gt;alert(1)&lt;/script&gt;">',
        ),
        page,
      );
      assert.ok(page.includes('<meta property="og:description" content="It&#39;s &lt;b&gt;bold&lt;/b&gt;">'));
      assert.ok(
        page.includes('<meta property="og:image" content="https://img.example.com/card.png?a=1&amp;b=2">'),
      );
      assert.ok(page.includes('<meta name="twitter:card" content="summary_large_image">'));
      assert.ok(!page.includes("<script>") && !page.includes("<b>"));
    }
    assert.deepEqual(await clicksOf(link.id), []);
    const person = await visit(server, `/${link.key}`, from(freshIp()));
    assert.equal(person.status, 302);
    assert.equal(sentTo(person).url, "https://example.com/behind-preview");
    assert.equal((await clicksOf(link.id)).length, 1);
  });

  test("without proxy, a crawler is redirected like anyone (and is no click)", async () => {
    const link = await dub.links.create({ url: "https://example.com/no-preview", title: "Title" });
    const response = await visit(server, `/${link.key}`, from(freshIp(), { "user-agent": FACEBOOK_UA }));
    assert.equal(response.status, 302);
    assert.deepEqual(await clicksOf(link.id), []);
  });

  test("with rewrite, the short link frames the destination (escaped) and the click is recorded", async () => {
    const link = await dub.links.create({
      url: "https://example.com/cloaked?a=1&b=<2>",
      rewrite: true,
      title: "Cloaked <page>",
      trackConversion: true,
    });
    const response = await visit(server, `/${link.key}`, from(freshIp()));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("location"), null);
    assert.equal(response.headers.get("x-robots-tag"), "noindex");
    const page = await response.text();
    const [clicked] = await clicksOf(link.id);
    assert.ok(clicked);
    assert.ok(
      page.includes(`<iframe src="https://example.com/cloaked?a=1&amp;b=%3C2%3E&amp;dub_id=${clicked.id}"`),
      page,
    );
    assert.ok(page.includes("<title>Cloaked &lt;page&gt;</title>"));
  });

  test("doIndex drops X-Robots-Tag: noindex from the redirect", async () => {
    const indexed = await dub.links.create({ url: "https://example.com/indexed", doIndex: true });
    const hidden = await dub.links.create({ url: "https://example.com/hidden" });
    const yes = await visit(server, `/${indexed.key}`, from(freshIp()));
    const no = await visit(server, `/${hidden.key}`, from(freshIp()));
    assert.deepEqual([yes.status, no.status], [302, 302]);
    assert.equal(yes.headers.get("x-robots-tag"), null);
    assert.equal(no.headers.get("x-robots-tag"), "noindex");
  });
});
