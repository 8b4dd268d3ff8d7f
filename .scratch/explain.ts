import { Kysely, SqliteDialect } from "kysely";
import SQLite from "better-sqlite3";
import { SqlAnalyticsStore } from "../src/store/sql/analytics-store.js";
import { AnalyticsService } from "../src/domain/analytics/analytics-service.js";
import { SqlLinkStore } from "../src/store/sql/link-store.js";
const file = process.argv[2] + "/clicktrail.sqlite";
const raw = new SQLite(file, { readonly: true });
const ws = raw.prepare("select id from workspaces").pluck().get() as string;
const logged: string[] = [];
const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new SQLite(file, { readonly: true }) }), log: (e) => { if (e.level === "query") logged.push(`${e.queryDurationMillis.toFixed(1)}ms ${e.query.sql}\n${JSON.stringify(e.query.parameters)}`); } });
const service = new AnalyticsService(new SqlAnalyticsStore(db), new SqlLinkStore(db), { now: () => Date.now() });
for (const groupBy of (process.argv[3] ?? "count").split(",")) {
  const t = performance.now();
  await service.retrieve({ workspaceId: ws, keyId: "k", scopes: null }, { event: "composite", groupBy: groupBy as never, interval: (process.argv[4] ?? "24h") as never });
  console.log(groupBy, (performance.now() - t).toFixed(1));
}
console.log(logged.join("\n\n"));
const db2 = new Kysely<any>({ dialect: new SqliteDialect({ database: raw }), log: (e) => { if (e.level === "query") { const plan = raw.prepare("explain query plan " + e.query.sql).all(...(e.query.parameters as unknown[])); console.log(plan.map((p: any) => `${p.id}/${p.parent} ${p.detail}`).join("\n")); } } });
const s2 = new AnalyticsService(new SqlAnalyticsStore(db2), new SqlLinkStore(db2), { now: () => Date.now() });
await s2.retrieve({ workspaceId: ws, keyId: "k", scopes: null }, { event: "composite", groupBy: (process.argv[3] ?? "count").split(",")[0] as never, interval: (process.argv[4] ?? "24h") as never });
