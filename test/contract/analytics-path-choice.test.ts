// On the store under test (SQLite, or PostgreSQL with CLICKTRAIL_TEST_STORE=postgres): a grouping by a dimension,
// filtered to many links, is answered from the event columns once they are built, instead of from per-link rollups
// whose rows (a link × a day × a value) outnumber the events; the answers are the same. A filter to one quiet
// link keeps reading its rollups. The same holds for the workspace's own rollups of a dimension with about as many
// values a day as events, on SQLite (ADR 33's amendment). Over a range holding a whole month, the month and the
// days around it are weighed apart: the month's rollups (ADR 37) and the days' columns can answer together.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import type { Tally } from "../../src/domain/analytics/ports.js";
import type { Click } from "../../src/domain/clicks/model.js";
import type { EventFilter } from "../../src/domain/events/model.js";
import { EventColumns } from "../../src/store/sql/event-columns.js";
import { MonthRollups } from "../../src/store/sql/month-rollups.js";
import { testClick } from "../helpers/clicks.js";
import { startServer, type TestServer } from "../helpers/server.js";
import { tallyQueryOf } from "../helpers/tally-query.js";

const DAY = 86_400_000;
const FIRST_DAY = Math.floor(Date.now() / DAY) * DAY - 10 * DAY;

let server: TestServer;
before(async () => {
  // Two threads on SQLite, whatever the machine: the columns' cost is divided among them (ADR 33).
  server = await startServer({ ANALYTICS_THREADS: "2" });
});
after(async () => {
  await server.stop();
});

/** Per-link day rollup rows of `dimension`. */
async function perLinkRows(workspaceId: string, dimension: string): Promise<number> {
  const { rows } = await sql<{ n: unknown }>`
    select count(*) as n from rollups
    where workspace_id = ${workspaceId} and dimension = ${dimension} and hours = 24 and link_id <> ''`.execute(
    server.storage.db,
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * A busy link's clicks a day: more than a summed per-link rollup row costs in counted events (50), times the threads
 * that count them (two on SQLite, one on PostgreSQL).
 */
const CLICKS_A_DAY = 120;

/** The store's tally of the first four days, as the analytics service plans it, every key kept. */
const tallyOf = (workspaceId: string, key: "cities" | "top_urls" | "countries", filter: EventFilter) =>
  server.storage.stores.analytics.tally({
    ...tallyQueryOf(workspaceId, key, filter, { start: FIRST_DAY, end: FIRST_DAY + 4 * DAY }),
    limit: 10_000,
  });

const clicksByKey = (tallies: Tally[]) => tallies.map((row) => [row.key, row.clicks]);

test("many links by city: the event columns answer, as the rollups did", async () => {
  const workspace = await server.newWorkspace();
  const dub = server.sdk(workspace.key);
  const links = [];
  for (let i = 0; i < 12; i++)
    links.push(
      await dub.links.create({ url: `https://example.com/${i}`, tenantId: "acme", trackConversion: true }),
    );
  const quiet = await dub.links.create({ url: "https://example.com/quiet", trackConversion: true });
  // Every click of a link on a day is in a city of its own: one per-link rollup row per click.
  const clicks: Click[] = [];
  for (let day = 0; day < 4; day++)
    for (const [l, link] of [...links, quiet].entries())
      for (let n = 0; n < (link === quiet ? 1 : CLICKS_A_DAY); n++)
        clicks.push(
          testClick(workspace.workspaceId, link, {
            id: `c${day}-${l}-${n}`,
            timestamp: FIRST_DAY + day * DAY + 10 * 60_000 * (n + 1),
            identityHash: `v${day}-${l}-${n}`,
            country: "US",
            continent: "NA",
            region: "US-NY",
            city: `City ${l}-${n}`,
          }),
        );
  await server.storage.stores.clicks.recordBatch(clicks, 0);
  assert.ok((await perLinkRows(workspace.workspaceId, "cities")) >= clicks.length);

  const tally = (filter: EventFilter, key: "cities" | "top_urls" = "cities") =>
    tallyOf(workspace.workspaceId, key, filter);
  const manyLinks = { tenantId: "acme" };
  const oneLink = { linkId: quiet.id };
  const fromRollups = await tally(manyLinks);
  const quietFromRollups = await tally(oneLink);
  const urlsFromRollups = await tally(manyLinks, "top_urls");
  assert.equal(
    fromRollups.reduce((sum, row) => sum + row.clicks, 0),
    12 * CLICKS_A_DAY * 4,
  );
  assert.deepEqual(clicksByKey(quietFromRollups), [["US\u001fUS-NY\u001fCity 12-0", 4]]);

  const columns = new EventColumns(server.storage.db);
  while ((await columns.buildDue(Date.now(), 50)) > 0);
  // Which rows answer shows in the answer once the per-link city rows are made wrong on purpose.
  await sql`update rollups set clicks = clicks + 1000
            where workspace_id = ${workspace.workspaceId} and dimension in ('cities', 'top_urls')
              and link_id <> ''`.execute(server.storage.db);

  assert.deepEqual(await tally(manyLinks), fromRollups, "the event columns answer for many links");
  assert.deepEqual(
    clicksByKey(await tally(oneLink)),
    [["US\u001fUS-NY\u001fCity 12-0", 4 + 4 * 1000]],
    "one quiet link keeps reading its rollups (a row a day)",
  );
  // A link has one destination URL: a row per link-day, fewer than its events, so its rollups stay the cheaper read.
  assert.deepEqual(
    clicksByKey(await tally(manyLinks, "top_urls")),
    urlsFromRollups.map((row) => [row.key, row.clicks + 4 * 1000]),
    "many links by URL keep reading their rollups (a row per link and day)",
  );
});

test("a dimension with about as many values a day as clicks: the event columns answer the workspace's grouping on SQLite", async () => {
  const workspace = await server.newWorkspace();
  const link = await server
    .sdk(workspace.key)
    .links.create({ url: "https://example.com/many-cities", trackConversion: true });
  // Every click in a city of its own, all in one country: a workspace rollup row per click for cities, one a day
  // for countries.
  const clicks: Click[] = [];
  for (let day = 0; day < 4; day++)
    for (let n = 0; n < CLICKS_A_DAY; n++)
      clicks.push(
        testClick(workspace.workspaceId, link, {
          id: `w${day}-${n}`,
          timestamp: FIRST_DAY + day * DAY + 10 * 60_000 * (n + 1),
          identityHash: `w${day}-${n}`,
          country: "US",
          continent: "NA",
          region: "US-NY",
          city: `City ${n}`,
        }),
      );
  await server.storage.stores.clicks.recordBatch(clicks, 0);
  const citiesFromRollups = await tallyOf(workspace.workspaceId, "cities", {});
  const countriesFromRollups = await tallyOf(workspace.workspaceId, "countries", {});
  assert.equal(citiesFromRollups.length, CLICKS_A_DAY);
  assert.deepEqual(clicksByKey(countriesFromRollups), [["US", 4 * CLICKS_A_DAY]]);

  const columns = new EventColumns(server.storage.db);
  while ((await columns.buildDue(Date.now(), 50)) > 0);
  await sql`update rollups set clicks = clicks + 1000
            where workspace_id = ${workspace.workspaceId} and dimension in ('cities', 'countries')
              and link_id = ''`.execute(server.storage.db);

  const cities = await tallyOf(workspace.workspaceId, "cities", {});
  if (server.databaseUrl)
    assert.deepEqual(
      clicksByKey(cities),
      clicksByKey(citiesFromRollups).map(([key, clicks]) => [key, Number(clicks) + 4 * 1000]),
      "PostgreSQL sums its workspace rollups faster than it reads the columns: the rollups answer",
    );
  else
    assert.deepEqual(cities, citiesFromRollups, "a row a click costs more to sum than the columns to count");
  assert.deepEqual(
    clicksByKey(await tallyOf(workspace.workspaceId, "countries", {})),
    [["US", 4 * CLICKS_A_DAY + 4 * 1000]],
    "a row a day keeps reading the rollups",
  );
});

test("a whole month under a value filter: its month rollups answer, the days around it the event columns", async () => {
  const workspace = await server.newWorkspace();
  const dub = server.sdk(workspace.key);
  const links = [];
  for (let i = 0; i < 6; i++)
    links.push(
      await dub.links.create({ url: `https://example.com/m${i}`, tenantId: "acme", trackConversion: true }),
    );
  // February 2026 and four days on each side; every click of a link-day in a country of its own, the first in the US:
  // per-link country rows as many as the clicks, one per link and month for the US.
  const from = Date.UTC(2026, 0, 28);
  const to = Date.UTC(2026, 2, 4);
  const clicks: Click[] = [];
  for (let day = from; day < to; day += DAY)
    for (const [l, link] of links.entries())
      for (let n = 0; n < 40; n++)
        clicks.push(
          testClick(workspace.workspaceId, link, {
            id: `m${day}-${l}-${n}`,
            timestamp: day + 20 * 60_000 * (n + 1),
            identityHash: `m${day}-${l}-${n}`,
            country: n === 0 ? "US" : `C${n}`,
            continent: "NA",
          }),
        );
  await server.storage.stores.clicks.recordBatch(clicks, 0);
  const US_OF_ACME: EventFilter = { tenantId: "acme", country: { values: ["US"], exclude: false } };
  const query = tallyQueryOf(workspace.workspaceId, "link", US_OF_ACME, {
    start: from,
    end: to,
  });
  const fromEvents = await server.storage.stores.analytics.tally(
    tallyQueryOf(workspace.workspaceId, "link", US_OF_ACME, { start: from, end: to }, false),
  );
  const days = (to - from) / DAY;
  assert.deepEqual(
    fromEvents.map((row) => row.clicks),
    links.map(() => days),
  );

  const columns = new EventColumns(server.storage.db);
  while ((await columns.buildDue(Date.now(), 50)) > 0);
  const months = new MonthRollups(server.storage.db);
  while ((await months.buildDue(Date.now(), 50)) > 0);
  await sql`update rollups set clicks = clicks + 1000
            where workspace_id = ${workspace.workspaceId} and dimension = 'countries' and link_id <> ''`.execute(
    server.storage.db,
  );
  await sql`update month_rollups set clicks = clicks + 1000
            where workspace_id = ${workspace.workspaceId} and dimension = 'countries' and link_id <> ''`.execute(
    server.storage.db,
  );
  assert.deepEqual(
    clicksByKey(await server.storage.stores.analytics.tally(query)),
    clicksByKey(fromEvents).map(([key, clicks]) => [key, Number(clicks) + 1000]),
    "February from its month rows (changed by 1000), the eight days around it from the columns (their rows unread)",
  );
});
