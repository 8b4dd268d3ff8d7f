// Column scans on reader threads (ADR 33), on the store under test (SQLite, or PostgreSQL with
// CLICKTRAIL_TEST_STORE=postgres): the threads count what the event loop counts, a scan that fails in a thread is
// refused without ending the thread, and the threads end with the database.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { loadConfig } from "../../src/config.js";
import type { TallyKey } from "../../src/domain/analytics/ports.js";
import type { Click } from "../../src/domain/clicks/model.js";
import type { EventFilter } from "../../src/domain/events/model.js";
import { type Link, newLink } from "../../src/domain/links/model.js";
import { openStorage, type Storage } from "../../src/store/open-storage.js";
import { type ColumnSource, SESSION_NAME } from "../../src/store/scan-threads/column-sources.js";
import { columnScanThreads } from "../../src/store/scan-threads/pool.js";
import {
  type ColumnScanner,
  type Piece,
  type ScannedRow,
  scannerOnEventLoop,
} from "../../src/store/sql/event-column-scan.js";
import { EventColumns } from "../../src/store/sql/event-columns.js";
import { DubWebhookPayloads } from "../../src/wire/webhook-payloads.js";
import { testClick } from "../helpers/clicks.js";
import { startServer, type TestServer } from "../helpers/server.js";

const DAY = 86_400_000;
/** More days than two SQLite threads read in one go (column-sources.ts: 8 at a time): each of them reads twice. */
const DAYS = 20;
const FIRST_DAY = Math.floor(Date.now() / DAY) * DAY - (DAYS + 1) * DAY;
const COUNTRIES = ["US", "DE", "IN", "FR"];
const DEVICES = ["Desktop", "Mobile", "Tablet"];

/** A workspace with links `keys` in `storage`. */
async function seeded(storage: Storage, workspaceId: string, keys: string[]): Promise<Link[]> {
  const now = Date.now();
  await storage.stores.workspaces.createWorkspace({
    id: workspaceId,
    name: workspaceId,
    slug: workspaceId.replaceAll("_", "-"),
    allowedHostnames: [],
    createdAt: now,
  });
  const links: Link[] = [];
  for (const key of keys) {
    const link = newLink({
      id: `link_${workspaceId}_${key}`,
      workspaceId,
      domain: "go.example.com",
      key,
      url: `https://example.com/${key}`,
      trackConversion: true,
      createdAt: now,
    });
    await storage.stores.links.insert(
      link,
      new DubWebhookPayloads("http").linkChanged("link.created", link, now),
    );
    links.push(link);
  }
  return links;
}

let server: TestServer;
let storage: Storage;
let threads: ColumnScanner;
const workspaceId = "ws_scan_threads";
let links: Link[] = [];

/** The server's database, for the threads to connect to. */
const sourceOf = (server: TestServer): ColumnSource =>
  server.databaseUrl
    ? { postgres: server.databaseUrl }
    : { sqlite: join(server.dataDir, "clicktrail.sqlite") };

before(async () => {
  // The server scans on its event loop: the threads under test are this file's own.
  server = await startServer({ ANALYTICS_THREADS: "0" });
  storage = server.storage;
  links = await seeded(storage, workspaceId, ["k0", "k1", "k2"]);
  const batch: Click[] = [];
  for (let day = 0; day < DAYS; day++)
    for (let n = 0; n < 40 + day * 7; n++) {
      batch.push(
        testClick(workspaceId, links[n % 3], {
          id: `c${day}-${n}`,
          timestamp: FIRST_DAY + day * DAY + n * 97_000,
          identityHash: `v${day}-${n}`,
          country: COUNTRIES[(n + day) % COUNTRIES.length],
          city: `City ${(n * 7 + day) % 11}`,
          device: DEVICES[(n * 3 + day) % DEVICES.length],
        }),
      );
    }
  await storage.stores.clicks.recordBatch(batch, 0);
  const columns = new EventColumns(storage.db);
  while ((await columns.buildDue(Date.now(), 50)) > 0);
  const scanner = columnScanThreads(sourceOf(server), 2);
  assert.ok(scanner, "the worker's script is built next to the module (dist/)");
  threads = scanner;
});

after(async () => {
  await threads.close();
  await server.stop();
});

/** Every day whole, in one bucket, or (`byDay`) a bucket a day; the first and last days cut by the hour. */
function piecesOf(byDay: boolean): Piece[] {
  return Array.from({ length: DAYS }, (_, day) => ({
    kind: "clicks" as const,
    day: FIRST_DAY + day * DAY,
    bucket: byDay ? FIRST_DAY + day * DAY : 0,
    lo: day === 0 ? 5 * 3_600_000 : 0,
    hi: day === DAYS - 1 ? 20 * 3_600_000 : DAY,
  }));
}

const sorted = (rows: ScannedRow[]) =>
  [...rows].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));

const QUERIES: { key: TallyKey; filter: EventFilter; someLinks?: boolean; byDay?: boolean }[] = [
  { key: "none", filter: {}, byDay: true },
  { key: "countries", filter: {} },
  { key: "cities", filter: { device: { values: ["Mobile"], exclude: false } } },
  { key: "devices", filter: { city: { values: ["city 3", "CITY 4"], exclude: true, anyCase: true } } },
  { key: "link", filter: { country: { values: ["US", "DE"], exclude: false } }, byDay: true },
  { key: "countries", filter: {}, someLinks: true },
];

test("reader threads count what the event loop counts, the days dealt out among them", async () => {
  const onEventLoop = scannerOnEventLoop(storage.db);
  let counted = 0;
  for (const { key, filter, someLinks, byDay } of QUERIES) {
    const query = {
      workspaceId,
      key,
      filter,
      links: someLinks ? new Set([links[0].id, "link_none"]) : null,
      dialect: server.store,
    };
    const pieces = piecesOf(byDay ?? false);
    const expected = sorted(await onEventLoop.scan(query, pieces));
    assert.deepEqual(sorted(await threads.scan(query, pieces)), expected, JSON.stringify({ key, filter }));
    counted += expected.reduce((sum, row) => sum + row[2], 0);
  }
  assert.ok(counted > 1000, "the queries count clicks (the comparison is not vacuous)");
});

test("a scan that fails in a thread is refused, and the thread goes on serving", async () => {
  const query = {
    workspaceId,
    key: "countries" as const,
    filter: {},
    links: null,
    dialect: server.store,
  };
  const pieces = piecesOf(false);
  const before = sorted(await threads.scan(query, pieces));
  const missingDay = FIRST_DAY + 4 * DAY;
  await sql`delete from event_columns where workspace_id = ${workspaceId} and day = ${missingDay}
            and name = 'countries'`.execute(storage.db);
  await assert.rejects(threads.scan(query, pieces), /event columns of clicks on .* are incomplete/);
  const rest = pieces.filter((piece) => piece.day !== missingDay);
  const expected = sorted(await scannerOnEventLoop(storage.db).scan(query, rest));
  assert.deepEqual(sorted(await threads.scan(query, rest)), expected);
  assert.ok(expected.reduce((sum, row) => sum + row[2], 0) < before.reduce((sum, row) => sum + row[2], 0));
});

test("a thread without work ends after the idle time, and the next scan starts it again", async () => {
  const idle = columnScanThreads(sourceOf(server), 2, 300);
  assert.ok(idle);
  try {
    const query = {
      workspaceId,
      key: "devices" as const,
      filter: {},
      links: null,
      dialect: server.store,
    };
    const expected = sorted(await threads.scan(query, piecesOf(false)));
    assert.deepEqual(sorted(await idle.scan(query, piecesOf(false))), expected);
    // One thread may finish (and idle out) well before the other: what counts is that they start and end.
    assert.ok(idle.running > 0);
    const deadline = Date.now() + 5_000;
    while (idle.running > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(idle.running, 0, "both threads ended once idle");
    assert.deepEqual(sorted(await idle.scan(query, piecesOf(false))), expected);
    assert.ok(idle.running > 0, "started again");
  } finally {
    await idle.close();
  }
});

test("the threads end with the database: no reader keeps the file or a session open", async () => {
  const dir = mkdtempSync(join(tmpdir(), "clicktrail-scan-threads-close-"));
  const own = await openStorage(
    loadConfig({
      DATA_DIR: dir,
      LOG_LEVEL: "silent",
      ANALYTICS_THREADS: "2",
      ...(server.databaseUrl ? { DATABASE_URL: server.databaseUrl } : {}),
    }),
  );
  try {
    const [link] = await seeded(own, "ws_close", ["k"]);
    await own.stores.clicks.recordBatch(
      [testClick("ws_close", link, { id: "c-close", timestamp: FIRST_DAY + 3_600_000, identityHash: "v1" })],
      0,
    );
    while ((await new EventColumns(own.db).buildDue(Date.now(), 50)) > 0);
    const sessionsBefore = server.store === "postgres" ? await scanSessions() : 0;
    const tally = await own.stores.analytics.tally({
      workspaceId: "ws_close",
      kinds: ["clicks"],
      key: "countries",
      links: null,
      filter: {},
      segments: [{ bucket: 0, start: FIRST_DAY, end: FIRST_DAY + DAY, grain: "raw" }],
      orderBy: ["clicks"],
      limit: 10,
    });
    assert.deepEqual(
      tally.map((row) => [row.key, row.clicks]),
      [["Unknown", 1]],
    );
    if (server.store === "postgres") {
      assert.equal(
        await scanSessions(),
        sessionsBefore + 1,
        "the scan ran on a thread, with a session of its own",
      );
      await own.db.destroy();
      assert.equal(
        await settled(scanSessions, sessionsBefore),
        sessionsBefore,
        "the thread's session ended with the database",
      );
    } else {
      assert.ok(existsSync(join(dir, "clicktrail.sqlite-wal")));
      await own.db.destroy();
      assert.equal(existsSync(join(dir, "clicktrail.sqlite-wal")), false, "no reader kept the file open");
    }
  } finally {
    await own.db.destroy().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Sessions of column scan threads on the server's PostgreSQL database. */
async function scanSessions(): Promise<number> {
  const row = await server.one<{ n: unknown }>(
    "select count(*) as n from pg_stat_activity where datname = current_database() and application_name = ?",
    SESSION_NAME,
  );
  return Number(row?.n ?? 0);
}

/** `read()` once it equals `expected`, or its last value after 5 s: a session ends shortly after its client. */
async function settled(read: () => Promise<number>, expected: number): Promise<number> {
  const deadline = Date.now() + 5_000;
  let value = await read();
  while (value !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}
