// A metadata query reads the conversions that carry metadata through their own indexes (migration 0114) when only
// those can match, and every conversion when one without metadata can (`!=` matches an event without the key).
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import Database from "better-sqlite3";
import type { Dub } from "dub";
import { type CompiledQuery, Kysely, SqliteDialect } from "kysely";
import type { EventFilter } from "../../src/domain/events/model.js";
import { SqlAnalyticsStore } from "../../src/store/sql/analytics-store.js";
import type { Database as Schema } from "../../src/store/sql/schema.js";
import { clickIdFor } from "../helpers/journey.js";
import { startServer, type TestServer } from "../helpers/server.js";
import { tallyQueryOf } from "../helpers/tally-query.js";

let server: TestServer;
let dub: Dub;

/** Leads by their metadata (undefined: none); one sale of 30.00 with metadata, one of 7.00 without. */
const LEADS: (Record<string, unknown> | undefined)[] = [
  { plan: "pro" },
  { plan: "trial" },
  undefined,
  undefined,
];

before(async () => {
  server = await startServer();
  dub = server.sdk();
  await dub.links.create({ url: "https://example.com/meta", key: "meta", trackConversion: true });
  for (const [index, metadata] of LEADS.entries()) {
    const clickId = await clickIdFor(server, "meta");
    await dub.track.lead({
      clickId,
      eventName: "Sign up",
      customerExternalId: `meta-${index}`,
      ...(metadata ? { metadata } : {}),
    });
  }
  await dub.track.sale({ customerExternalId: "meta-0", amount: 3000, currency: "usd", metadata: { qty: 3 } });
  await dub.track.sale({ customerExternalId: "meta-1", amount: 700, currency: "usd" });
});
after(() => server?.stop());

test("conversions without metadata match a != and nothing else", async () => {
  const cases: [string, { leads: number; sales: number; saleAmount: number }][] = [
    ["metadata['plan']:pro", { leads: 1, sales: 0, saleAmount: 0 }],
    ["metadata['plan']!=pro", { leads: 3, sales: 2, saleAmount: 3700 }],
    ["metadata['plan']:pro OR metadata['plan']!=trial", { leads: 3, sales: 2, saleAmount: 3700 }],
    ["metadata['plan']:pro AND metadata['other']!=x", { leads: 1, sales: 0, saleAmount: 0 }],
    ["metadata['qty']>2", { leads: 0, sales: 1, saleAmount: 3000 }],
    ["metadata['qty']>2 OR metadata['plan']:trial", { leads: 1, sales: 1, saleAmount: 3000 }],
  ];
  for (const [query, expected] of cases) {
    const count = await dub.analytics.retrieve({ event: "composite", interval: "all", query });
    assert.deepEqual(count, { clicks: 0, ...expected }, query);
  }
});

test("only the conversions with metadata are read when only they can match (SQLite's plan)", {
  skip: process.env.CLICKTRAIL_TEST_STORE === "postgres" ? "SQLite's query plan" : false,
}, async () => {
  const connection = new Database(join(server.dataDir, "clicktrail.sqlite"), { readonly: true });
  const compiled: CompiledQuery[] = [];
  const store = new SqlAnalyticsStore(
    new Kysely<Schema>({
      dialect: new SqliteDialect({ database: connection }),
      log: (event) => void compiled.push(event.query),
    }),
    "sqlite",
  );
  const plansOf = async (filter: EventFilter) => {
    compiled.length = 0;
    await store.tally(
      tallyQueryOf(server.workspaceId, "none", filter, { start: 0, end: Date.now() + 60_000 }),
    );
    return compiled
      .flatMap((query) =>
        connection
          .prepare(`explain query plan ${query.sql}`)
          .all(...(query.parameters as unknown[]))
          .map((row) => (row as { detail: string }).detail),
      )
      .join(" / ");
  };
  try {
    const eq = await plansOf({
      metadata: { join: "and", conditions: [{ path: ["plan"], operator: "eq", value: "pro" }] },
    });
    assert.match(eq, /lead_events_with_metadata/);
    assert.match(eq, /sale_events_with_metadata/);
    const ne = await plansOf({
      metadata: { join: "and", conditions: [{ path: ["plan"], operator: "ne", value: "pro" }] },
    });
    assert.doesNotMatch(ne, /_with_metadata/);
  } finally {
    connection.close();
  }
});
