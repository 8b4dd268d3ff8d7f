// Dub's filters on event attributes, on GET /analytics, /events and /events/export: `a,b` is one of them, `-a` and
// `-a,b` none of them, and device, browser and os match whatever the letter case.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { clickIdFor } from "../helpers/journey.js";
import { startServer, type TestServer } from "../helpers/server.js";

const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked by the tests
type Json = any;

let server: TestServer;

/** Clicks, per country, on a desktop (the default browser) or an iPhone; the `news` link carries utm_source. */
const VISITS: { key: string; country: string; mobile: boolean }[] = [
  { key: "news", country: "US", mobile: false },
  { key: "news", country: "US", mobile: true },
  { key: "news", country: "CA", mobile: true },
  { key: "plain", country: "GB", mobile: false },
  { key: "plain", country: "DE", mobile: false },
  { key: "plain", country: "DE", mobile: true },
];

async function get(path: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${server.origin}/api${path}`, {
    headers: { authorization: `Bearer ${server.key}` },
  });
  return { status: response.status, text: await response.text() };
}

async function json(path: string): Promise<Json> {
  const answer = await get(path);
  assert.equal(answer.status, 200, answer.text);
  return JSON.parse(answer.text);
}

const count = async (query: string): Promise<number> =>
  (await json(`/analytics?event=clicks&interval=all&${query}`)).clicks;

const visits = (match: (visit: (typeof VISITS)[number]) => boolean) => VISITS.filter(match).length;

before(async () => {
  server = await startServer({ TRUST_PROXY: "true" });
  const dub = server.sdk();
  await dub.links.create({
    url: "https://example.com/news",
    key: "news",
    utmSource: "letter",
    trackConversion: true,
  });
  await dub.links.create({ url: "https://example.com/plain", key: "plain", trackConversion: true });
  for (const { key, country, mobile } of VISITS)
    await clickIdFor(server, key, { country, ...(mobile ? { userAgent: IPHONE } : {}) });
});

after(() => server.stop());

describe("GET /analytics", () => {
  test("a comma-separated list is any of its values", async () => {
    const rows: Json[] = await json(
      "/analytics?event=clicks&interval=all&groupBy=countries&country=US,CA,GB",
    );
    assert.deepEqual(
      rows.map((row) => [row.country, row.clicks]),
      [
        ["US", 2],
        ["CA", 1],
        ["GB", 1],
      ],
    );
    assert.equal(
      await count("country=US,CA"),
      visits((v) => ["US", "CA"].includes(v.country)),
    );
  });

  test("a leading - is none of the values", async () => {
    assert.equal(
      await count("country=-US"),
      visits((v) => v.country !== "US"),
    );
    assert.equal(
      await count("country=-US,DE"),
      visits((v) => !["US", "DE"].includes(v.country)),
    );
    const rows: Json[] = await json("/analytics?event=clicks&interval=all&groupBy=countries&country=-US,DE");
    assert.deepEqual(rows.map((row) => row.country).sort(), ["CA", "GB"]);
  });

  test("the parameter given twice is any of its values", async () => {
    assert.equal(
      await count("country=US&country=GB"),
      visits((v) => ["US", "GB"].includes(v.country)),
    );
  });

  test("device, browser and os match in any letter case; the rows keep the stored case", async () => {
    assert.equal(
      await count("device=desktop"),
      visits((v) => !v.mobile),
    );
    assert.equal(
      await count("device=MOBILE"),
      visits((v) => v.mobile),
    );
    assert.equal(
      await count("device=-mobile"),
      visits((v) => !v.mobile),
    );
    assert.equal(
      await count("browser=chrome"),
      visits((v) => !v.mobile),
    );
    assert.equal(
      await count("os=ios"),
      visits((v) => v.mobile),
    );
    const rows: Json[] = await json(
      "/analytics?event=clicks&interval=all&groupBy=devices&device=mobile,desktop",
    );
    assert.deepEqual(rows.map((row) => row.device).sort(), ["Desktop", "Mobile"]);
  });

  test("country codes match as given", async () => {
    assert.equal(await count("country=us"), 0);
  });

  test("filters on two attributes, read from the events, combine the same way", async () => {
    assert.equal(
      await count("country=US,DE&device=-Mobile"),
      visits((v) => ["US", "DE"].includes(v.country) && !v.mobile),
    );
    const rows: Json[] = await json("/analytics?event=clicks&interval=all&groupBy=countries&device=desktop");
    assert.deepEqual(rows.map((row) => row.country).sort(), ["DE", "GB", "US"]);
  });

  test("excluding a UTM value keeps the clicks that carry none", async () => {
    assert.equal(
      await count("utm_source=letter"),
      visits((v) => v.key === "news"),
    );
    assert.equal(
      await count("utm_source=-letter"),
      visits((v) => v.key !== "news"),
    );
    assert.equal(await count("utm_source=-other"), VISITS.length);
  });
});

describe("GET /events and /events/export", () => {
  test("lists only the events of any of the values, or of none of them", async () => {
    const some: Json[] = await json("/events?event=clicks&interval=all&country=US,CA,GB");
    assert.deepEqual(some.map((event) => event.click.country).sort(), ["CA", "GB", "US", "US"]);
    const others: Json[] = await json("/events?event=clicks&interval=all&country=-US");
    assert.deepEqual(others.map((event) => event.click.country).sort(), ["CA", "DE", "DE", "GB"]);
    const desktop: Json[] = await json("/events?event=clicks&interval=all&device=desktop");
    assert.equal(
      desktop.length,
      visits((v) => !v.mobile),
    );
    assert.ok(desktop.every((event) => event.click.device === "Desktop"));
  });

  test("the export filters the same way", async () => {
    const answer = await get("/events/export?event=clicks&interval=all&columns=click.country&country=-US,DE");
    assert.equal(answer.status, 200, answer.text);
    const [, ...lines] = answer.text.trim().split(/\r?\n/);
    assert.deepEqual(lines.sort(), ["CA", "GB"]);
  });
});
