// Property test, on the store under test (SQLite, or PostgreSQL with CLICKTRAIL_TEST_STORE=postgres): over random
// streams of clicks, leads, sales and customer erasures, the rollups equal what the raw events add up to.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { DIMENSIONS } from "../../src/domain/analytics/dimensions.js";
import { planOf } from "../../src/domain/analytics/plan.js";
import type { TallyQuery } from "../../src/domain/analytics/ports.js";
import { segmentsOf } from "../../src/domain/analytics/segments.js";
import type { EventFilter } from "../../src/domain/events/model.js";
import { backfillRollups } from "../../src/store/migrations/legacy/rollup-tables.js";
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

type RollupRow = Record<string, string | number>;
const rowKey = (row: RollupRow) =>
  [row.dimension, row.hours, row.link_id, row.period, row.value].map(String).join("|");
const counts = (row: RollupRow) => [row.clicks, row.leads, row.sales, row.sale_amount].map(Number).join(",");

/** Non-zero rollup rows of a workspace, as key → counts. */
async function snapshot(workspaceId: string, db = server.storage.db): Promise<Map<string, string>> {
  const { rows } = await sql<RollupRow>`
    select dimension, hours, link_id, period, value, clicks, leads, sales, sale_amount from rollups
    where workspace_id = ${workspaceId} and (clicks <> 0 or leads <> 0 or sales <> 0 or sale_amount <> 0)`.execute(
    db,
  );
  return new Map(rows.map((row) => [rowKey(row), counts(row)]));
}

class Rollback extends Error {}

for (const seed of [1, 2, 3]) {
  test(`random event stream ${seed}: rollups equal the raw events`, async () => {
    const random = generator(seed);
    const workspace = await server.newWorkspace();
    await randomStream(server, random, workspace);
    const incremental = await snapshot(workspace.workspaceId);
    assert.ok(incremental.size > 100);

    // 1. Every cell, against the rollups rebuilt from the event tables by SQL (the migration's backfill).
    let rebuilt = new Map<string, string>();
    await server.storage.db
      .transaction()
      .execute(async (trx) => {
        await sql`delete from rollups`.execute(trx);
        await backfillRollups(trx as never, server.store === "postgres" ? "chr(31)" : "char(31)");
        rebuilt = await snapshot(workspace.workspaceId, trx as never);
        throw new Rollback();
      })
      .catch((error) => {
        if (!(error instanceof Rollback)) throw error;
      });
    assert.deepEqual(incremental, rebuilt);

    // 2. Random queries: answered from rollups (with the events at the edges) as from the events alone.
    for (let i = 0; i < 40; i++) {
      const key = random.pick<TallyQuery["key"]>(["none", "link", ...DIMENSIONS]);
      const filter = random.pick<EventFilter>([
        {},
        {},
        { country: { values: ["US"], exclude: false } },
        { country: { values: ["US", "DE"], exclude: false } },
        { country: { values: ["US"], exclude: true } },
        { qr: false },
        { city: { values: ["Beta"], exclude: false } },
        { city: { values: ["Beta", "Gamma"], exclude: true } },
        { device: { values: ["Mobile"], exclude: false } },
        { device: { values: ["mobile"], exclude: false, anyCase: true } },
        { browser: { values: ["CHROME", "safari"], exclude: true, anyCase: true } },
        { utmMedium: { values: ["email"], exclude: true } },
      ]);
      const plan = planOf(key, filter);
      const start = WINDOW_START - DAY + random.int(WINDOW + DAY);
      const end = start + 1 + random.int(WINDOW);
      const buckets = [{ start, end }];
      const query = (segments: TallyQuery["segments"]): TallyQuery => ({
        workspaceId: workspace.workspaceId,
        kinds: ["clicks", "leads", "sales"],
        key,
        links: plan.links,
        filter: plan.filter,
        ...(plan.rollup ? { rollup: plan.rollup } : {}),
        segments,
        orderBy: ["clicks", "leads", "saleAmount"],
        limit: null,
      });
      const fromEvents = await server.storage.stores.analytics.tally(
        query(segmentsOf(buckets, { day: false, hour: false })),
      );
      const planned = segmentsOf(
        buckets,
        plan.rollup ? { day: true, hour: plan.hourRollups } : { day: false, hour: false },
      );
      const fromRollups = await server.storage.stores.analytics.tally(query(planned));
      assert.deepEqual(fromRollups, fromEvents, `${key} ${JSON.stringify(filter)} [${start}, ${end})`);
      if (key === "none" && Object.keys(filter).length === 0) {
        const total = fromRollups[0] ?? { clicks: 0, leads: 0, sales: 0 };
        assert.deepEqual(
          { clicks: total.clicks, leads: total.leads, sales: total.sales },
          await rawTotal(workspace.workspaceId, start, end),
        );
      }
    }
  });
}

async function rawTotal(workspaceId: string, start: number, end: number) {
  const [clicks, leads, sales] = await Promise.all(
    ["clicks", "lead_events", "sale_events"].map(
      async (table) =>
        (
          await server.query<{ n: number }>(
            `select count(*) as n from ${table} where workspace_id = ? and timestamp >= ? and timestamp < ?`,
            workspaceId,
            start,
            end,
          )
        )[0].n,
    ),
  );
  return { clicks: Number(clicks), leads: Number(leads), sales: Number(sales) };
}
