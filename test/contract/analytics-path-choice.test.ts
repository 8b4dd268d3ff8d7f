// On the store under test (SQLite, or PostgreSQL with CLICKTRAIL_TEST_STORE=postgres): a grouping by a dimension,
// filtered to many links, is answered from the event columns once they are built, instead of from per-link rollups
// whose rows (a link × a day × a value) outnumber the events; the answers are the same. A filter to one quiet
// link keeps reading its rollups.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { planOf } from "../../src/domain/analytics/plan.js";
import type { Tally, TallyQuery } from "../../src/domain/analytics/ports.js";
import { segmentsOf } from "../../src/domain/analytics/segments.js";
import type { Click } from "../../src/domain/clicks/model.js";
import type { EventFilter } from "../../src/domain/events/model.js";
import { EventColumns } from "../../src/store/sql/event-columns.js";
import { testClick } from "../helpers/clicks.js";
import { startServer, type TestServer } from "../helpers/server.js";

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

  const analytics = server.storage.stores.analytics;
  const tally = (filter: EventFilter, key: "cities" | "top_urls" = "cities"): Promise<Tally[]> => {
    const plan = planOf(key, filter);
    const query: TallyQuery = {
      workspaceId: workspace.workspaceId,
      kinds: ["clicks", "leads", "sales"],
      key,
      links: plan.links,
      filter: plan.filter,
      ...(plan.rollup ? { rollup: plan.rollup } : {}),
      segments: segmentsOf([{ start: FIRST_DAY, end: FIRST_DAY + 4 * DAY }], {
        day: plan.rollup !== null,
        hour: plan.hourRollups,
      }),
      orderBy: ["clicks", "leads", "saleAmount"],
      limit: 10_000,
    };
    return analytics.tally(query);
  };
  const manyLinks = { tenantId: "acme" };
  const oneLink = { linkId: quiet.id };
  const fromRollups = await tally(manyLinks);
  const quietFromRollups = await tally(oneLink);
  const urlsFromRollups = await tally(manyLinks, "top_urls");
  assert.equal(
    fromRollups.reduce((sum, row) => sum + row.clicks, 0),
    12 * CLICKS_A_DAY * 4,
  );
  assert.deepEqual(
    quietFromRollups.map((row) => [row.key, row.clicks]),
    [["US\u001fUS-NY\u001fCity 12-0", 4]],
  );

  const columns = new EventColumns(server.storage.db);
  while ((await columns.buildDue(Date.now(), 50)) > 0);
  // Which rows answer shows in the answer once the per-link city rows are made wrong on purpose.
  await sql`update rollups set clicks = clicks + 1000
            where workspace_id = ${workspace.workspaceId} and dimension in ('cities', 'top_urls')
              and link_id <> ''`.execute(server.storage.db);

  assert.deepEqual(await tally(manyLinks), fromRollups, "the event columns answer for many links");
  assert.deepEqual(
    (await tally(oneLink)).map((row) => [row.key, row.clicks]),
    [["US\u001fUS-NY\u001fCity 12-0", 4 + 4 * 1000]],
    "one quiet link keeps reading its rollups (a row a day)",
  );
  // A link has one destination URL: a row per link-day, fewer than its events, so its rollups stay the cheaper read.
  assert.deepEqual(
    (await tally(manyLinks, "top_urls")).map((row) => [row.key, row.clicks]),
    urlsFromRollups.map((row) => [row.key, row.clicks + 4 * 1000]),
    "many links by URL keep reading their rollups (a row per link and day)",
  );
});
