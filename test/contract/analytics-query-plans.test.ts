// SQLite only: with the statistics ANALYZE gathers on a large install (here, those of the 10M-click bench data),
// no analytics query the rollups answer is planned with an automatic index, which SQLite builds by reading every
// rollup row on each request (2.3 s a request at 10M clicks, whatever the interval).
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import Database from "better-sqlite3";
import { type CompiledQuery, Kysely, SqliteDialect } from "kysely";
import { DIMENSIONS } from "../../src/domain/analytics/dimensions.js";
import type { TallyQuery } from "../../src/domain/analytics/ports.js";
import type { EventFilter } from "../../src/domain/events/model.js";
import { SqlAnalyticsStore } from "../../src/store/sql/analytics-store.js";
import type { Database as Schema } from "../../src/store/sql/schema.js";
import { LARGE_INSTALL_STATS as LARGE_INSTALL } from "../fixtures/sqlite-stats-10m-clicks.js";
import { generator, randomStream, WINDOW_START } from "../helpers/random-event-stream.js";
import { startServer, type TestServer } from "../helpers/server.js";
import { tallyQueryOf } from "../helpers/tally-query.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Replaces the statistics with the large install's, its samples naming `workspaceId` instead. */
function loadLargeInstallStats(file: string, workspaceId: string) {
  const db = new Database(file);
  db.exec("ANALYZE");
  const tables = [...new Set(LARGE_INSTALL.stat1.map((row) => row.tbl))];
  for (const table of tables) {
    db.prepare("delete from sqlite_stat1 where tbl = ?").run(table);
    db.prepare("delete from sqlite_stat4 where tbl = ?").run(table);
  }
  const from = Buffer.from(LARGE_INSTALL.workspaceId);
  const to = Buffer.from(workspaceId);
  assert.equal(to.length, from.length, "workspace ids of one length, so that the samples stay well formed");
  for (const row of LARGE_INSTALL.stat1)
    db.prepare("insert into sqlite_stat1 (tbl, idx, stat) values (?, ?, ?)").run(row.tbl, row.idx, row.stat);
  for (const row of LARGE_INSTALL.stat4) {
    const sample = Buffer.from(row.sample, "hex");
    for (let at = sample.indexOf(from); at >= 0; at = sample.indexOf(from, at + 1)) to.copy(sample, at);
    db.prepare("insert into sqlite_stat4 (tbl, idx, neq, nlt, ndlt, sample) values (?, ?, ?, ?, ?, ?)").run(
      row.tbl,
      row.idx,
      row.neq,
      row.nlt,
      row.ndlt,
      sample,
    );
  }
  db.close();
}

const FILTERS: [keyof EventFilter, (typeof DIMENSIONS)[number], string][] = [
  ["country", "countries", "US"],
  ["continent", "continents", "NA"],
  ["device", "devices", "Desktop"],
  ["browser", "browsers", "Chrome"],
  ["os", "os", "Mac OS"],
  ["referer", "referers", "google.com"],
  ["refererUrl", "referer_urls", "https://google.com/a"],
  ["url", "top_urls", "https://example.com/0"],
  ["utmSource", "utm_sources", "s1"],
  ["trigger", "triggers", "qr"],
];

const skip = process.env.CLICKTRAIL_TEST_STORE === "postgres" ? "automatic indexes are SQLite's" : false;
let server: TestServer;
let connection: Database.Database;
const compiled: CompiledQuery[] = [];
let store: SqlAnalyticsStore;
let workspaceId: string;

before(async () => {
  if (skip) return;
  server = await startServer();
  const workspace = await server.newWorkspace();
  workspaceId = workspace.workspaceId;
  await randomStream(server, generator(5), workspace);
  const file = join(server.dataDir, "clicktrail.sqlite");
  loadLargeInstallStats(file, workspaceId);
  // A new connection reads sqlite_stat1 when it opens.
  connection = new Database(file, { readonly: true });
  const db = new Kysely<Schema>({
    dialect: new SqliteDialect({ database: connection }),
    log: (event) => void compiled.push(event.query),
  });
  store = new SqlAnalyticsStore(db, "sqlite");
});
after(async () => {
  connection?.close();
  await server?.stop();
});

/** A range with minutes, hours and whole days in it, so that every grain of rollups is read. */
const RANGE = {
  start: WINDOW_START - 2 * DAY + 17 * 60_000,
  end: WINDOW_START + 3 * DAY + 5 * HOUR + 60_000,
};

async function plansOf(key: TallyQuery["key"], filter: EventFilter): Promise<string[]> {
  compiled.length = 0;
  await store.tally(tallyQueryOf(workspaceId, key, filter, RANGE));
  return compiled.flatMap((query) =>
    connection
      .prepare(`explain query plan ${query.sql}`)
      .all(...(query.parameters as unknown[]))
      .map((row) => (row as { detail: string }).detail),
  );
}

const RAW_ONLY: EventFilter[] = [
  { city: { values: ["Washington D.C."], exclude: false } },
  { region: "US-DC" },
  { country: { values: ["US"], exclude: false }, device: { values: ["Desktop"], exclude: false } },
];

test("no analytics query is planned with an automatic index, on a large install's statistics", {
  skip,
}, async () => {
  const cases: [TallyQuery["key"], EventFilter][] = [
    ["none", {}],
    ...DIMENSIONS.map((dimension): [TallyQuery["key"], EventFilter] => [dimension, {}]),
    ...FILTERS.flatMap(([name, dimension, value]): [TallyQuery["key"], EventFilter][] => [
      ["none", { [name]: { values: [value], exclude: false } }],
      [dimension, { [name]: { values: [value], exclude: false } }],
      [dimension, { [name]: { values: [value.toLowerCase()], exclude: false, anyCase: true } }],
    ]),
    ...RAW_ONLY.flatMap((filter): [TallyQuery["key"], EventFilter][] => [
      ["none", filter],
      ["countries", filter],
      ["link", filter],
    ]),
  ];
  let readingRollups = 0;
  for (const [key, filter] of cases) {
    const plans = await plansOf(key, filter);
    if (plans.some((detail) => detail.startsWith("SEARCH r "))) readingRollups++;
    const automatic = plans.filter((detail) => detail.includes("AUTOMATIC"));
    assert.deepEqual(automatic, [], `${key} ${JSON.stringify(filter)}: ${plans.join(" / ")}`);
  }
  assert.equal(readingRollups, 1 + DIMENSIONS.length + 3 * FILTERS.length);
});
