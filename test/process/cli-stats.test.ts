// `clicktrail stats`: the compiled command over the SQLite file of a running server.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { clickIdFor, trackedLink } from "../helpers/journey.js";
import { cli, ensureBuilt } from "../helpers/processes.js";
import { startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
before(async () => {
  ensureBuilt();
  server = await startServer({ TRUST_PROXY: "true" });
});
after(async () => {
  await server.stop();
});

const stats = (...args: string[]) => cli(["stats", ...args], { DATA_DIR: server.dataDir });

test("clicktrail stats: the funnel and the top links, as a table and as JSON", async () => {
  const dub = server.sdk();
  const best = await trackedLink(server, "best");
  const other = await trackedLink(server, "other");
  const clickId = await clickIdFor(server, best.key);
  await clickIdFor(server, best.key);
  await clickIdFor(server, best.key);
  await clickIdFor(server, other.key);
  await dub.track.lead({ clickId, eventName: "Sign up", customerExternalId: "cli-1" });
  await dub.track.sale({
    customerExternalId: "cli-1",
    amount: 12_345,
    currency: "usd",
    paymentProcessor: "stripe",
  });

  const json = await stats("--json");
  assert.equal(json.status, 0, json.stderr);
  const report = JSON.parse(json.stdout);
  assert.equal(report.interval, "30d");
  assert.deepEqual(report.funnel, {
    clicks: 4,
    leads: 1,
    sales: 1,
    saleAmount: 12_345,
    leadRate: 0.25,
    saleRate: 1,
    clickToSale: 0.25,
  });
  assert.deepEqual(report.unconverted, []);
  assert.deepEqual(
    report.topLinks.map((link: { shortLink: string; clicks: number }) => [link.shortLink, link.clicks]),
    [
      [`${best.domain}/best`, 3],
      [`${other.domain}/other`, 1],
    ],
  );

  const text = await stats("--interval", "24h", "--link", "best");
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`^Link ${best.domain}/best, the last 24 hours \\(UTC\\)`));
  assert.match(text.stdout, /\nclicks +3\n/);
  assert.match(text.stdout, /\nsales +1 +100\.00% of leads, 33\.33% of clicks\n/);
  assert.match(text.stdout, /\nrevenue +\$123\.45 +USD\n/);
  assert.match(text.stdout, /\nTop links\nlink +clicks +leads +sales +revenue +click→lead\n/);

  const bad = await stats("--interval", "2w");
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--interval must be one of 24h, 7d, 30d/);
});

test("clicktrail stats: no rate above 100 %, unconverted sales reported, --link KEY on the default domain only", async () => {
  const dub = server.sdk();
  const link = await trackedLink(server, "many-leads");
  const clickId = await clickIdFor(server, link.key);
  for (const customer of ["over-1", "over-2"])
    await dub.track.lead({ clickId, eventName: "Sign up", customerExternalId: customer });
  await dub.track.sale({
    customerExternalId: "over-1",
    amount: 5_000,
    currency: "jpy",
    paymentProcessor: "stripe",
  });

  const json = await stats("--link", "many-leads", "--json");
  assert.equal(json.status, 0, json.stderr);
  const report = JSON.parse(json.stdout);
  assert.equal(report.link, `${link.domain}/many-leads`);
  assert.deepEqual(report.funnel, {
    clicks: 1,
    leads: 2,
    sales: 1,
    saleAmount: 0,
    leadRate: null,
    saleRate: 0.5,
    clickToSale: 1,
  });
  assert.deepEqual(report.unconverted, [{ currency: "JPY", sales: 1, amount: 5_000 }]);

  const text = await stats("--link", `${link.domain}/many-leads`);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /\nleads +2 +– of clicks\n/);
  assert.match(text.stdout, /\n\+ 1 sale in JPY not converted \(no exchange rate\): 5,000 JPY/);
  assert.match(
    text.stdout,
    /– more leads than clicks: leads of clicks made before this period are counted in it\./,
  );
  const rates = [...text.stdout.matchAll(/([\d.]+)%/g)].map((match) => Number(match[1]));
  assert.ok(rates.length > 0 && rates.every((rate) => rate <= 100), `no rate above 100 %: ${rates}`);

  const missing = await stats("--link", "no-such-key");
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /No link .*\/no-such-key/);
  assert.equal(missing.stdout, "");
  const elsewhere = await stats("--link", "other.example/many-leads");
  assert.equal(elsewhere.status, 1);
  assert.match(elsewhere.stderr, /No link other\.example\/many-leads/);
});
