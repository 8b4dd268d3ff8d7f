// Property test, on the store under test (SQLite, or PostgreSQL with CLICKTRAIL_TEST_STORE=postgres): analytics over
// ranges holding whole months answer the same from month rollups (ADR 37) as from the events, for random streams of
// clicks, leads, sales and erasures over a hundred days, once the months are built, once an erasure made them
// stale, and once built again; and the month rows are what is read while they are current.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { DIMENSIONS } from "../../src/domain/analytics/dimensions.js";
import type { Tally, TallyQuery } from "../../src/domain/analytics/ports.js";
import type { EventFilter } from "../../src/domain/events/model.js";
import { MonthRollups } from "../../src/store/sql/month-rollups.js";
import { generator, randomStream } from "../helpers/random-event-stream.js";
import { startServer, type TestServer } from "../helpers/server.js";
import { tallyQueryOf } from "../helpers/tally-query.js";

const DAY = 24 * 3_600_000;
const START = Date.UTC(2026, 0, 20, 9, 41, 7, 3);
const LENGTH = 100 * DAY;
const FEBRUARY = Date.UTC(2026, 1, 1);
const SPAN = [Date.UTC(2026, 0, 1), Date.UTC(2026, 5, 1)] as const;

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
});

const FILTERS: EventFilter[] = [
  {},
  {},
  { country: { values: ["US"], exclude: false } },
  { country: { values: ["US", "DE"], exclude: true } },
  { device: { values: ["mobile"], exclude: false, anyCase: true } },
  { refererUrl: { values: ["https://google.com/a"], exclude: false } },
  { utmMedium: { values: ["email"], exclude: true } },
  { city: { values: ["Beta"], exclude: false } },
];

type Query = { key: TallyQuery["key"]; filter: EventFilter; start: number; end: number; linkId?: string };

function randomQueries(seed: number, linkIds: string[]): Query[] {
  const random = generator(seed * 104_729);
  return Array.from({ length: 40 }, () => {
    const start = START - 5 * DAY + random.int(35 * DAY);
    const filter = { ...random.pick(FILTERS) };
    if (random.next() < 0.25) filter.linkId = random.pick(linkIds);
    return {
      key: random.pick<TallyQuery["key"]>(["none", "link", "tag", "folder", ...DIMENSIONS]),
      filter,
      start,
      end: start + 40 * DAY + random.int(60 * DAY),
    };
  });
}

/** The tally as the service asks it, from the rollups where the plan allows (`rollups`), or from the events. */
const tally = (workspaceId: string, { key, filter, start, end }: Query, rollups: boolean): Promise<Tally[]> =>
  server.storage.stores.analytics.tally(tallyQueryOf(workspaceId, key, filter, { start, end }, rollups));

async function answers(workspaceId: string, queries: Query[], rollups: boolean): Promise<Tally[][]> {
  const all: Tally[][] = [];
  for (const query of queries) all.push(await tally(workspaceId, query, rollups));
  return all;
}

const months = () => new MonthRollups(server.storage.db);
const buildAll = async () => {
  let built = 0;
  for (let n = await months().buildDue(Date.now(), 50); n > 0; n = await months().buildDue(Date.now(), 50))
    built += n;
  return built;
};

for (const seed of [1, 2]) {
  test(`random event stream ${seed}: month rollups answer as the events`, async () => {
    const workspace = await server.newWorkspace();
    await randomStream(server, generator(seed), workspace, { start: START, length: LENGTH });
    const { rows: links } = await sql<{ id: string }>`
      select id from links where workspace_id = ${workspace.workspaceId}`.execute(server.storage.db);
    const queries = randomQueries(
      seed,
      links.map((link) => link.id),
    );
    const fromEvents = await answers(workspace.workspaceId, queries, false);
    assert.ok(
      fromEvents.filter((rows) => rows.length > 0).length > 25,
      "most queries find events (the property is not vacuous)",
    );

    assert.ok((await buildAll()) >= 3, "February, March and April are built");
    const current = await months().current(workspace.workspaceId, ...SPAN);
    for (const month of [1, 2, 3])
      assert.ok(current.has(Date.UTC(2026, month, 1)), `month ${month + 1} is built`);
    assert.equal(await months().buildDue(Date.now(), 50), 0, "current months are not built again");
    assert.deepEqual(await answers(workspace.workspaceId, queries, true), fromEvents, "from month rollups");

    // The month rows are what is read: a count changed in February's shows in the answers, until it is rebuilt.
    const february: Query = { key: "none", filter: {}, start: FEBRUARY - DAY, end: FEBRUARY + 30 * DAY };
    const before = (await tally(workspace.workspaceId, february, false))[0];
    await sql`update month_rollups set clicks = clicks + 1000
              where workspace_id = ${workspace.workspaceId} and dimension = 'all' and link_id = ''
                and period = ${FEBRUARY}`.execute(server.storage.db);
    assert.equal((await tally(workspace.workspaceId, february, true))[0].clicks, before.clicks + 1000);
    await months().build(workspace.workspaceId, FEBRUARY);
    assert.deepEqual((await tally(workspace.workspaceId, february, true))[0], before);

    // An erasure changes the months its events were in: they are read from their days until built again.
    const { rows: customers } = await sql<{ id: string }>`
      select distinct customer_id as id from lead_events where workspace_id = ${workspace.workspaceId}
      order by customer_id limit 4`.execute(server.storage.db);
    assert.ok(customers.length > 0);
    const dub = server.sdk(workspace.key);
    for (const customer of customers) await dub.customers.delete(customer.id);
    const afterErasure = await answers(workspace.workspaceId, queries, false);
    assert.notDeepEqual(afterErasure, fromEvents, "the erasure changed some answers");
    const stale = await months().current(workspace.workspaceId, ...SPAN);
    assert.ok(stale.size < current.size, "the erasure left stale months");
    assert.deepEqual(await answers(workspace.workspaceId, queries, true), afterErasure, "stale months");
    assert.ok((await buildAll()) > 0, "the stale months are built again");
    assert.deepEqual(await months().current(workspace.workspaceId, ...SPAN), current);
    assert.deepEqual(await answers(workspace.workspaceId, queries, true), afterErasure, "rebuilt");
  });
}
