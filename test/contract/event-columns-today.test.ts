// On the store under test (SQLite, or PostgreSQL with CLICKTRAIL_TEST_STORE=postgres): the day in progress has
// event columns up to its last whole hour (ADR 26, "The day in progress"), built again as hours pass, trusted
// while its hour rollups agree, and whole once the day is over; the events since are read from the event table.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { planOf } from "../../src/domain/analytics/plan.js";
import type { TallyQuery } from "../../src/domain/analytics/ports.js";
import { segmentsOf } from "../../src/domain/analytics/segments.js";
import type { Click } from "../../src/domain/clicks/model.js";
import { EventColumns } from "../../src/store/sql/event-columns.js";
import { testClick } from "../helpers/clicks.js";
import { startServer, type TestServer } from "../helpers/server.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/**
 * The day playing "today": the clock handed to buildDue is on it. It lies in the future, where the server's own
 * 15-second job (on the real clock) leaves it alone; on a past day that job would build it whole mid-test.
 */
const D = Math.floor(Date.now() / DAY) * DAY + 20 * DAY;
/** Past the five-minute grace after `hours` o'clock on D. */
const past = (hours: number) => D + hours * HOUR + 6 * 60_000;

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
});

type Setup = {
  workspaceId: string;
  columns: EventColumns;
  recordClick: (timestamp: number, device: string) => Promise<void>;
};

/** A workspace with one link and three US clicks an hour (Desktop, Mobile, Tablet) from 01:00 to 20:00 on D. */
async function setup(): Promise<Setup> {
  const workspace = await server.newWorkspace();
  const link = await server
    .sdk(workspace.key)
    .links.create({ url: "https://example.com/", trackConversion: true });
  let n = 0;
  const click = (timestamp: number, device: string, country = "US") =>
    testClick(workspace.workspaceId, link, {
      id: `${workspace.workspaceId}-c${n}`,
      identityHash: `v${n++}`,
      timestamp,
      country,
      continent: country === "US" ? "NA" : "EU",
      device,
    });
  const clicks: Click[] = [];
  for (let hour = 1; hour <= 20; hour++)
    for (const device of ["Desktop", "Mobile", "Tablet"])
      clicks.push(click(D + hour * HOUR + 60_000, device));
  clicks.push(click(D + 5 * HOUR, "Desktop", "FR"));
  const record = (batch: Click[]) => server.storage.stores.clicks.recordBatch(batch, 0);
  await record(clicks);
  return {
    workspaceId: workspace.workspaceId,
    columns: new EventColumns(server.storage.db),
    recordClick: async (timestamp, device) => {
      await record([click(timestamp, device)]);
    },
  };
}

/** Clicks on D by device, filtered to the US: two dimensions, which the rollups cannot answer. */
async function devicesInUs(workspaceId: string): Promise<Record<string, number>> {
  const plan = planOf("devices", { country: { values: ["US"], exclude: false } });
  assert.equal(plan.rollup, null, "a filter and a grouping on two dimensions read events or event columns");
  const query: TallyQuery = {
    workspaceId,
    kinds: ["clicks", "leads", "sales"],
    key: "devices",
    links: plan.links,
    filter: plan.filter,
    segments: segmentsOf([{ start: D, end: D + DAY }], { day: false, hour: plan.hourRollups }),
    orderBy: ["clicks"],
    limit: 100,
  };
  const rows = await server.storage.stores.analytics.tally(query);
  return Object.fromEntries(rows.map((row) => [row.key, row.clicks]));
}

async function header(workspaceId: string) {
  const { rows } = await sql<{ events: unknown; until_ms: unknown }>`
    select events, until_ms from event_column_days
    where workspace_id = ${workspaceId} and kind = 'clicks' and day = ${D}`.execute(server.storage.db);
  return rows[0] === undefined
    ? undefined
    : {
        events: Number(rows[0].events),
        untilMs: rows[0].until_ms === null ? null : Number(rows[0].until_ms),
      };
}

const stateOfD = async ({ workspaceId, columns }: Setup) => {
  const states = await columns.dayStates(workspaceId, ["clicks"], D, D);
  return { state: states.get("clicks")?.get(D), until: states.until("clicks", D) };
};

test("the day in progress: columns up to the last whole hour, rebuilt as hours pass and when an event is late, whole once over", async () => {
  const day = await setup();
  const expected = { Desktop: 20, Mobile: 20, Tablet: 20 };
  assert.deepEqual(await devicesInUs(day.workspaceId), expected, "from the events, before any columns");

  assert.equal(await day.columns.buildDue(D + 10 * HOUR + 60_000), 1);
  assert.deepEqual(
    await header(day.workspaceId),
    { events: 25, untilMs: 9 * HOUR },
    "10:00 is not over by 5 min",
  );
  assert.equal(await day.columns.buildDue(past(10)), 1, "built again once it is");
  // Hours 1 to 9 with three clicks each, and the click from France at 05:00.
  assert.deepEqual(await header(day.workspaceId), { events: 28, untilMs: 10 * HOUR });
  assert.deepEqual(await stateOfD(day), { state: "columns", until: 10 * HOUR });
  assert.deepEqual(await devicesInUs(day.workspaceId), expected, "columns before 10:00, events after");
  assert.equal(await day.columns.buildDue(past(10) + 20 * 60_000), 0, "nothing new within the hour");

  // A click recorded late, at 09:30: the hour rollups no longer match the columns.
  await day.recordClick(D + 9.5 * HOUR, "Mobile");
  const withLate = { ...expected, Mobile: 21 };
  assert.equal((await stateOfD(day)).state, "events");
  assert.deepEqual(await devicesInUs(day.workspaceId), withLate, "a stale day is read from its events");
  assert.equal(await day.columns.buildDue(past(10)), 1, "built again");
  assert.deepEqual(await header(day.workspaceId), { events: 29, untilMs: 10 * HOUR });
  assert.deepEqual(await devicesInUs(day.workspaceId), withLate);

  assert.equal(await day.columns.buildDue(past(11)), 1, "an hour later");
  assert.deepEqual(await header(day.workspaceId), { events: 32, untilMs: 11 * HOUR });
  assert.deepEqual(await devicesInUs(day.workspaceId), withLate);

  assert.equal(await day.columns.buildDue(past(24)), 1, "the day is over");
  assert.deepEqual(await header(day.workspaceId), { events: 62, untilMs: null });
  assert.deepEqual(await stateOfD(day), { state: "columns", until: DAY });
  assert.deepEqual(await devicesInUs(day.workspaceId), withLate);
  assert.equal(await day.columns.buildDue(past(24)), 0);
});

test("the columns of the day in progress answer before their hour and the event table after it", async () => {
  const day = await setup();
  assert.equal(await day.columns.buildDue(past(12)), 1);
  // Which rows answer shows once the event table is made wrong on purpose (the rollups are left as they were).
  await sql`delete from clicks where workspace_id = ${day.workspaceId} and timestamp < ${D + 12 * HOUR}`.execute(
    server.storage.db,
  );
  assert.deepEqual(
    await devicesInUs(day.workspaceId),
    { Desktop: 20, Mobile: 20, Tablet: 20 },
    "the clicks before 12:00 come from the columns",
  );
  await sql`delete from clicks where workspace_id = ${day.workspaceId} and timestamp >= ${D + 20 * HOUR}`.execute(
    server.storage.db,
  );
  assert.deepEqual(
    await devicesInUs(day.workspaceId),
    { Desktop: 19, Mobile: 19, Tablet: 19 },
    "the clicks after 12:00 come from the event table",
  );
});
