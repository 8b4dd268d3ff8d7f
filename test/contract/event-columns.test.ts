// Property test, on the store under test (SQLite, or PostgreSQL with CLICKTRAIL_TEST_STORE=postgres): analytics
// answered from the event columns (ADR 26) equal the answers read from the event rows, for random streams of
// clicks, leads, sales and erasures, for every kind of filter the columns take (cities, regions, two dimensions,
// links, exclusions, any case), before the columns exist, once built, once stale, and once built again.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { DIMENSIONS } from "../../src/domain/analytics/dimensions.js";
import { planOf } from "../../src/domain/analytics/plan.js";
import type { Tally, TallyQuery } from "../../src/domain/analytics/ports.js";
import { segmentsOf } from "../../src/domain/analytics/segments.js";
import type { EventFilter } from "../../src/domain/events/model.js";
import { EventColumns } from "../../src/store/sql/event-columns.js";
import { generator, randomStream, WINDOW, WINDOW_START } from "../helpers/random-event-stream.js";
import { startServer, type TestServer } from "../helpers/server.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
});

const FILTERS: EventFilter[] = [
  {},
  { city: { values: ["Beta"], exclude: false } },
  { city: { values: ["beta", "GAMMA"], exclude: true, anyCase: true } },
  { region: "R1" },
  { country: { values: ["US"], exclude: false }, device: { values: ["Mobile"], exclude: false } },
  {
    country: { values: ["US", "DE"], exclude: true },
    browser: { values: ["chrome"], exclude: false, anyCase: true },
  },
  { continent: { values: ["EU"], exclude: false }, qr: true },
  { qr: false, referer: { values: ["google.com"], exclude: false } },
  { utmMedium: { values: ["email"], exclude: true } },
  { utmMedium: { values: [""], exclude: false } },
  {
    utmCampaign: { values: ["c1"], exclude: false },
    refererUrl: { values: ["https://google.com/a"], exclude: true },
  },
  { os: { values: ["ios"], exclude: false, anyCase: true }, trigger: { values: ["qr"], exclude: true } },
];

type Query = { key: TallyQuery["key"]; filter: EventFilter; start: number; end: number; hourly: boolean };

function randomQueries(seed: number, linkIds: string[]): Query[] {
  const random = generator(seed * 7919);
  const queries: Query[] = [];
  for (let i = 0; i < 40; i++) {
    const filter = { ...random.pick(FILTERS) };
    if (random.next() < 0.25) filter.linkId = random.pick(linkIds);
    const start = WINDOW_START - DAY + random.int(WINDOW + DAY);
    const key = random.pick<TallyQuery["key"]>(["none", "link", "tag", "folder", ...DIMENSIONS]);
    queries.push({
      key,
      filter,
      start,
      end: start + 6 * HOUR + random.int(WINDOW),
      hourly: key === "none" && random.next() < 0.5,
    });
  }
  return queries;
}

/** The tally as the service asks it for the events alone: hour buckets (a timeseries) when `hourly`. */
function tally(workspaceId: string, { key, filter, start, end, hourly }: Query): Promise<Tally[]> {
  const buckets: { start: number; end: number }[] = [];
  if (hourly)
    for (let from = start; from < end; from = Math.floor(from / HOUR) * HOUR + HOUR)
      buckets.push({ start: from, end: Math.min(end, Math.floor(from / HOUR) * HOUR + HOUR) });
  else buckets.push({ start, end });
  const plan = planOf(key, filter);
  return server.storage.stores.analytics.tally({
    workspaceId,
    kinds: ["clicks", "leads", "sales"],
    key,
    links: plan.links,
    filter: plan.filter,
    segments: segmentsOf(buckets, { day: false, hour: false }),
    // As the service asks: a timeseries by bucket, a grouping over one bucket ranked and cut.
    orderBy: key === "none" ? [] : ["clicks", "leads", "saleAmount"],
    limit: key === "none" ? null : 25,
  });
}

async function columnDays(workspaceId: string): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`
    select count(*) as n from event_column_days where workspace_id = ${workspaceId}`.execute(
    server.storage.db,
  );
  return Number(rows[0]?.n ?? 0);
}

for (const seed of [1, 2]) {
  test(`random event stream ${seed}: event columns answer as the event rows`, async () => {
    const workspace = await server.newWorkspace();
    await randomStream(server, generator(seed), workspace);
    const { rows: links } = await sql<{ id: string }>`
      select id from links where workspace_id = ${workspace.workspaceId}`.execute(server.storage.db);
    const queries = randomQueries(
      seed,
      links.map((link) => link.id),
    );
    await sql`delete from event_column_days where workspace_id = ${workspace.workspaceId}`.execute(
      server.storage.db,
    );
    const fromEvents: Tally[][] = [];
    for (const query of queries) fromEvents.push(await tally(workspace.workspaceId, query));
    assert.ok(
      fromEvents.filter((rows) => rows.length > 0).length > 20,
      "most queries find events (the property is not vacuous)",
    );

    const columns = new EventColumns(server.storage.db);
    while ((await columns.buildDue(Date.now(), 50)) > 0);
    assert.ok((await columnDays(workspace.workspaceId)) >= 3 * 6, "every day of every kind has columns");
    for (const [i, query] of queries.entries())
      assert.deepEqual(
        await tally(workspace.workspaceId, query),
        fromEvents[i],
        `columns: ${JSON.stringify(query)}`,
      );

    // An erasure after the build: the erased customer's days no longer match their rollups, so they are read
    // from the events until built again.
    const { rows: customers } = await sql<{ id: string }>`
      select distinct customer_id as id from lead_events where workspace_id = ${workspace.workspaceId}
      order by customer_id limit 3`.execute(server.storage.db);
    assert.ok(customers.length > 0);
    const dub = server.sdk(workspace.key);
    for (const customer of customers) await dub.customers.delete(customer.id);
    const afterErasure: Tally[][] = [];
    for (const query of queries) afterErasure.push(await tally(workspace.workspaceId, query));
    const stale = await columns.dayStates(
      workspace.workspaceId,
      ["leads", "sales"],
      WINDOW_START - DAY,
      WINDOW_START + WINDOW + DAY,
    );
    assert.ok(
      [...stale.values()].some((days) => [...days.values()].includes("events")),
      "the erasure left stale days",
    );
    while ((await columns.buildDue(Date.now(), 50)) > 0);
    for (const [i, query] of queries.entries())
      assert.deepEqual(
        await tally(workspace.workspaceId, query),
        afterErasure[i],
        `rebuilt after an erasure: ${JSON.stringify(query)}`,
      );
    // And the answers after the erasure are the event rows' own.
    await sql`delete from event_column_days where workspace_id = ${workspace.workspaceId}`.execute(
      server.storage.db,
    );
    for (const [i, query] of queries.entries())
      assert.deepEqual(
        afterErasure[i],
        await tally(workspace.workspaceId, query),
        `events: ${JSON.stringify(query)}`,
      );

    // Refunds (ADR 27) live beside the sales, not in the columns: a sales day with refunds is read from its
    // events, and the builder leaves it alone instead of rebuilding it at every pass.
    while ((await columns.buildDue(Date.now(), 50)) > 0);
    const { rows: sales } = await sql<{
      id: string;
      timestamp: number;
      original_amount: number;
      original_currency: string;
    }>`
      select id, timestamp, original_amount, original_currency from sale_events
      where workspace_id = ${workspace.workspaceId} order by id limit 3`.execute(server.storage.db);
    assert.ok(sales.length > 0);
    for (const sale of sales) {
      const recorded = await server.storage.stores.refunds.recordRefund({
        workspaceId: workspace.workspaceId,
        saleEventId: sale.id,
        processor: "stripe",
        refundKey: `re_${sale.id}`,
        amount: Math.ceil(Number(sale.original_amount) / 2),
        currency: sale.original_currency,
        timestamp: Number(sale.timestamp) + 1,
        reason: null,
      });
      assert.equal(recorded.kind, "recorded");
    }
    assert.equal(await columns.buildDue(Date.now(), 50), 0, "refunded days are not rebuilt");
    const afterRefunds: Tally[][] = [];
    for (const query of queries) afterRefunds.push(await tally(workspace.workspaceId, query));
    const revenue = (answers: Tally[][]) =>
      answers.flat().reduce((sum, row) => sum + Number(row.saleAmount ?? 0), 0);
    assert.ok(revenue(afterRefunds) < revenue(afterErasure), "the refunds show in the answers");
    await sql`delete from event_column_days where workspace_id = ${workspace.workspaceId}`.execute(
      server.storage.db,
    );
    for (const [i, query] of queries.entries())
      assert.deepEqual(
        afterRefunds[i],
        await tally(workspace.workspaceId, query),
        `refunds, events: ${JSON.stringify(query)}`,
      );
  });
}
