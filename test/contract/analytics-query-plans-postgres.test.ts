// PostgreSQL only: an analytics query that reads events plans its scans on the months it asks for (bounds the
// planner knows, so that it prunes the monthly partitions), and runs without JIT compilation. At 10M clicks the
// first cost 17 s a query (a parallel scan of a year of partitions), the second 2.9 s of a 12 ms execution.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type CompiledQuery, Kysely, PostgresDialect, sql } from "kysely";
import type pg from "pg";
import type { TallyQuery } from "../../src/domain/analytics/ports.js";
import type { EventFilter } from "../../src/domain/events/model.js";
import { openPostgres } from "../../src/store/postgres/database.js";
import { ensurePartitions } from "../../src/store/postgres/partitions.js";
import { SqlAnalyticsStore } from "../../src/store/sql/analytics-store.js";
import type { Database as Schema } from "../../src/store/sql/schema.js";
import { generator, randomStream, WINDOW_START } from "../helpers/random-event-stream.js";
import { startServer, type TestServer } from "../helpers/server.js";
import { tallyQueryOf } from "../helpers/tally-query.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const skip = process.env.CLICKTRAIL_TEST_STORE === "postgres" ? false : "PostgreSQL's plans";
let server: TestServer;
let pool: pg.Pool;
let db: Kysely<Schema>;
const compiled: CompiledQuery[] = [];
let store: SqlAnalyticsStore;
let workspaceId: string;

before(async () => {
  if (skip) return;
  server = await startServer();
  await ensurePartitions(server.storage.db, WINDOW_START, { monthsBack: 4, monthsAhead: 4 });
  const workspace = await server.newWorkspace();
  workspaceId = workspace.workspaceId;
  await randomStream(server, generator(5), workspace);
  const [{ name }] = await server.query<{ name: string }>("select current_database() as name");
  const url = new URL(process.env.CLICKTRAIL_TEST_PG_URL ?? "");
  url.pathname = `/${name}`;
  ({ pool } = openPostgres({ url: url.toString(), poolSize: 1 }));
  db = new Kysely<Schema>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => void compiled.push(event.query),
  });
  store = new SqlAnalyticsStore(db, "postgres");
});
after(async () => {
  await db?.destroy();
  await server?.stop();
});

/** Every relation a plan scans. */
function scannedRelations(plan: unknown): string[] {
  if (Array.isArray(plan)) return plan.flatMap(scannedRelations);
  if (typeof plan !== "object" || plan === null) return [];
  const node = plan as Record<string, unknown>;
  return [
    ...(typeof node["Relation Name"] === "string" ? [node["Relation Name"]] : []),
    ...Object.values(node).flatMap(scannedRelations),
  ];
}

async function relationsScannedFor(
  key: TallyQuery["key"],
  filter: EventFilter,
  range: { start: number; end: number },
): Promise<string[]> {
  compiled.length = 0;
  await store.tally(tallyQueryOf(workspaceId, key, filter, range));
  const relations: string[] = [];
  for (const query of compiled) {
    const { rows } = await pool.query(`explain (format json) ${query.sql}`, [...query.parameters]);
    relations.push(...scannedRelations(rows[0]?.["QUERY PLAN"]));
  }
  return relations;
}

const monthOf = (time: number) => {
  const date = new Date(time);
  return `y${date.getUTCFullYear()}m${String(date.getUTCMonth() + 1).padStart(2, "0")}`;
};

test("a query that reads events scans only the partitions of the months it asks for", { skip }, async () => {
  const range = { start: WINDOW_START - 2 * DAY + 17 * 60_000, end: WINDOW_START + 3 * DAY + 5 * HOUR };
  const months = new Set([monthOf(range.start), monthOf(range.end)]);
  const cases: [TallyQuery["key"], EventFilter][] = [
    ["none", { city: { values: ["Washington D.C."], exclude: false } }],
    ["countries", { region: "US-DC" }],
    [
      "link",
      { country: { values: ["US"], exclude: false }, device: { values: ["Desktop"], exclude: false } },
    ],
  ];
  for (const [key, filter] of cases) {
    const relations = await relationsScannedFor(key, filter, range);
    const partitions = relations.filter((name) => /^(clicks|lead_events|sale_events)_/.test(name));
    assert.ok(
      partitions.length > 0,
      `${key} ${JSON.stringify(filter)} reads events: ${relations.join(", ")}`,
    );
    const outside = partitions.filter((name) => !months.has(name.slice(name.lastIndexOf("_") + 1)));
    assert.deepEqual(outside, [], `${key} ${JSON.stringify(filter)} scans ${partitions.join(", ")}`);
  }
});

test("a long range the rollups answer but for its two ends scans only the months of those ends", {
  skip,
}, async () => {
  const range = { start: WINDOW_START - 40 * DAY + 17 * 60_000, end: WINDOW_START + 40 * DAY + 5 * HOUR };
  const ends = new Set([monthOf(range.start), monthOf(range.end)]);
  assert.equal(ends.size, 2);
  for (const key of ["none", "devices"] as const) {
    const relations = await relationsScannedFor(
      key,
      { device: { values: ["Desktop"], exclude: false } },
      range,
    );
    const partitions = relations.filter((name) => /^(clicks|lead_events|sale_events)_/.test(name));
    const months = new Set(partitions.map((name) => name.slice(name.lastIndexOf("_") + 1)));
    assert.deepEqual([...months].sort(), [...ends].sort(), `${key} scans ${partitions.join(", ")}`);
  }
});

test("the store's connections run without JIT compilation", { skip }, async () => {
  const { rows } = await sql<{ jit: string }>`show jit`.execute(db);
  assert.equal(rows[0]?.jit, "off");
  const served = await sql<{ jit: string }>`show jit`.execute(server.storage.db);
  assert.equal(served.rows[0]?.jit, "off");
});

test("the rollup rows of one dimension and grain are estimated near their number", { skip }, async () => {
  await sql`analyze rollups`.execute(db);
  for (const [dimension, hours] of [
    ["all", 24],
    ["all", 1],
    ["cities", 24],
  ] as const) {
    const where = sql`where workspace_id = ${workspaceId} and dimension = ${dimension} and hours = ${hours}`;
    const { rows } = await sql<{ count: string }>`select count(*) as count from rollups ${where}`.execute(db);
    const actual = Number(rows[0]?.count);
    const { rows: plans } = await sql<{ "QUERY PLAN": [{ Plan: { "Plan Rows": number } }] }>`
      explain (format json) select * from rollups ${where}`.execute(db);
    const estimated = plans[0]?.["QUERY PLAN"][0].Plan["Plan Rows"] ?? 0;
    assert.ok(actual > 0, `${dimension}/${hours}: rows to estimate`);
    assert.ok(
      estimated <= 2 * actual && estimated >= actual / 2,
      `${dimension}/${hours}: ${estimated} estimated, ${actual} there`,
    );
  }
});
