import { type Kysely, sql } from "kysely";

/**
 * The rollups table and its first fill from the events already stored, for the migrations of both engines
 * (SQLite 0004, PostgreSQL 0003). Frozen with them: a new shape is a new migration.
 */
export async function createRollupsTable(
  db: Kysely<unknown>,
  engine: { bigint: "INTEGER" | "BIGINT"; withoutRowid: boolean },
): Promise<void> {
  const { bigint } = engine;
  await sql
    .raw(`
    CREATE TABLE rollups (
      workspace_id TEXT NOT NULL,
      dimension TEXT NOT NULL,
      hours SMALLINT NOT NULL,
      link_id TEXT NOT NULL,
      period ${bigint} NOT NULL,
      value TEXT NOT NULL,
      clicks ${bigint} NOT NULL,
      leads ${bigint} NOT NULL,
      sales ${bigint} NOT NULL,
      sale_amount ${bigint} NOT NULL,
      PRIMARY KEY (workspace_id, dimension, hours, link_id, period, value)
    )${engine.withoutRowid ? " WITHOUT ROWID" : ""}`)
    .execute(db);
}

const EVENT_COLUMNS =
  "workspace_id, link_id, timestamp, domain, url, continent, country, region, city, device, browser, os, " +
  "referer, referer_url, trigger, utm_source, utm_medium, utm_campaign, utm_term, utm_content";

/** What each dimension's rows are keyed by, as SQL over an event row (`sep` joins the parts of cities). */
const dimensionValues = (sep: string): Record<string, string> => ({
  all: "''",
  continents: "continent",
  countries: "country",
  regions: `country || ${sep} || region`,
  cities: `country || ${sep} || region || ${sep} || city`,
  devices: "device",
  browsers: "browser",
  os: "os",
  referers: "referer",
  referer_urls: "referer_url",
  top_urls: "url",
  top_domains: "domain",
  utm_sources: "utm_source",
  utm_mediums: "utm_medium",
  utm_campaigns: "utm_campaign",
  utm_terms: "utm_term",
  utm_contents: "utm_content",
  triggers: "trigger",
});

/**
 * Builds every rollup cell from the event tables, as `applyRollups` would have, one INSERT … SELECT … GROUP BY
 * per dimension and grain. `separator` is the engine's SQL for the character 0x1F.
 */
export async function backfillRollups(db: Kysely<unknown>, separator: string): Promise<void> {
  const events = `(
    SELECT ${EVENT_COLUMNS}, 1 AS c, 0 AS l, 0 AS s, 0 AS a FROM clicks
    UNION ALL SELECT ${EVENT_COLUMNS}, 0, 1, 0, 0 FROM lead_events
    UNION ALL SELECT ${EVENT_COLUMNS}, 0, 0, 1, CASE WHEN converted = 1 THEN amount ELSE 0 END FROM sale_events
  ) e`;
  const grains = [
    { hours: 1, perLink: true, onlyAll: true },
    { hours: 24, perLink: true, onlyAll: false },
    { hours: 1, perLink: false, onlyAll: false },
    { hours: 24, perLink: false, onlyAll: false },
  ];
  for (const [dimension, value] of Object.entries(dimensionValues(separator))) {
    for (const grain of grains) {
      if (grain.onlyAll && dimension !== "all") continue;
      const periodMs = grain.hours * 3_600_000;
      const period = `timestamp - timestamp % ${periodMs}`;
      const link = grain.perLink ? "link_id" : "''";
      await sql
        .raw(`
        INSERT INTO rollups (workspace_id, dimension, hours, link_id, period, value, clicks, leads, sales, sale_amount)
        SELECT workspace_id, '${dimension}', ${grain.hours}, ${link}, ${period}, ${value},
               sum(c), sum(l), sum(s), sum(a)
        FROM ${events}
        ${dimension.startsWith("utm_") ? `WHERE ${value} IS NOT NULL AND ${value} <> ''` : ""}
        GROUP BY workspace_id, ${grain.perLink ? "link_id, " : ""}${period}${dimension === "all" ? "" : `, ${value}`}`)
        .execute(db);
    }
  }
}
