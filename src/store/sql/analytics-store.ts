import { type Kysely, type RawBuilder, sql } from "kysely";
import type { Dimension } from "../../domain/analytics/dimensions.js";
import { PART_SEPARATOR } from "../../domain/analytics/dimensions.js";
import {
  type AnalyticsStore,
  keyedByLink,
  type Metric,
  type Segment,
  type Tally,
  type TallyQuery,
  type UnconvertedSales,
} from "../../domain/analytics/ports.js";
import type { EventFilter, EventKind, ValueFilter } from "../../domain/events/model.js";
import { EVENT_FILTER_COLUMNS } from "./event-filter-columns.js";
import { metadataCondition, type SqlDialect } from "./metadata-conditions.js";
import type { Database } from "./schema.js";
import { tagAndFolderConditions } from "./tag-folder-conditions.js";
import { valueCondition } from "./value-condition.js";

const EVENT_TABLES: Record<EventKind, string> = {
  clicks: "clicks",
  leads: "lead_events",
  sales: "sale_events",
};

const HOURS = { day: 24, hour: 1 } as const;

const LINK_COLUMNS = {
  linkId: "id",
  domain: "domain",
  key: "key",
  externalId: "external_id",
  tenantId: "tenant_id",
} as const;

/** A dimension's value over an event row, encoded as rollups.ts stores it. */
const DIMENSION_COLUMNS: Record<Dimension, string[]> = {
  continents: ["continent"],
  countries: ["country"],
  regions: ["country", "region"],
  cities: ["country", "region", "city"],
  devices: ["device"],
  browsers: ["browser"],
  os: ["os"],
  referers: ["referer"],
  referer_urls: ["referer_url"],
  top_urls: ["url"],
  top_domains: ["domain"],
  utm_sources: ["utm_source"],
  utm_mediums: ["utm_medium"],
  utm_campaigns: ["utm_campaign"],
  utm_terms: ["utm_term"],
  utm_contents: ["utm_content"],
  triggers: ["trigger"],
};

const METRIC_COLUMNS: Record<Metric, string> = {
  clicks: "clicks",
  leads: "leads",
  sales: "sales",
  saleAmount: "sale_amount",
};

type Row = { bucket: number; key: string; clicks: number; leads: number; sales: number; sale_amount: number };

/**
 * Answers a tally in one statement: the segments are a VALUES list joined to the rollups (an index range per
 * segment) and to the event tables (a range of the (workspace_id, timestamp) index per segment); the parts are
 * summed, ranked and cut in the database. CROSS JOIN makes SQLite loop over the segments first.
 */
export class SqlAnalyticsStore implements AnalyticsStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async tally(query: TallyQuery): Promise<Tally[]> {
    if (query.segments.length === 0) return [];
    const parts = [
      ...(["day", "hour"] as const).flatMap((grain) => (has(query, grain) ? [rollupPart(query, grain)] : [])),
      ...(has(query, "raw") ? query.kinds.map((kind) => eventPart(query, kind, this.dialect)) : []),
      // Refunds take their USD back from sale amounts at the refund's time (ADR 27); rollups have them already.
      ...(has(query, "raw") && query.kinds.includes("sales")
        ? [eventPart(query, "sales", this.dialect, true)]
        : []),
    ];
    if (parts.length === 0) return [];
    const counted = sql.join(parts, sql` union all `);
    const ranking = query.orderBy.map((metric) => sql.raw(`sum(t.${METRIC_COLUMNS[metric]})`));
    const { rows } = await sql<Row>`
      with segments (bucket, lo, hi, grain) as (values ${sql.join(query.segments.map(segmentValues))})
      select t.bucket as bucket, t.key as key, sum(t.clicks) as clicks, sum(t.leads) as leads,
             sum(t.sales) as sales, sum(t.sale_amount) as sale_amount
      from (${regrouped(query, counted)}) t
      group by t.bucket, t.key
      ${
        ranking.length > 0
          ? sql`having ${sql.join(
              ranking.map((sum) => sql`${sum} > 0`),
              sql` or `,
            )}`
          : sql``
      }
      order by ${ranking.length > 0 ? sql`${sql.join(ranking.map((sum) => sql`${sum} desc`))}, t.key` : sql`t.bucket`}
      ${query.limit === null ? sql`` : sql`limit ${query.limit}`}`.execute(this.db);
    return rows.map((row) => ({
      bucket: Number(row.bucket),
      key: row.key,
      clicks: Number(row.clicks),
      leads: Number(row.leads),
      sales: Number(row.sales),
      saleAmount: Number(row.sale_amount),
    }));
  }

  async unconvertedSales(
    workspaceId: string,
    range: { start: number; end: number },
    linkId?: string,
  ): Promise<UnconvertedSales[]> {
    let query = this.db
      .selectFrom("sale_events")
      .select(({ fn }) => [
        "original_currency as currency",
        fn.countAll<number | string>().as("sales"),
        fn.sum<number | string>("original_amount").as("amount"),
      ])
      .where("workspace_id", "=", workspaceId)
      .where("converted", "=", 0)
      .where("timestamp", ">=", range.start)
      .where("timestamp", "<=", range.end);
    if (linkId) query = query.where("link_id", "=", linkId);
    const rows = await query.groupBy("original_currency").orderBy("original_currency").execute();
    return rows.map((row) => ({
      currency: row.currency.toUpperCase(),
      sales: Number(row.sales),
      amount: Number(row.amount),
    }));
  }

  async firstActivity(workspaceId: string): Promise<number | null> {
    const row = await this.db
      .selectFrom("rollups")
      .select((eb) => eb.fn.min("period").as("first"))
      .where("workspace_id", "=", workspaceId)
      .where("dimension", "=", "all")
      .where("hours", "=", 24)
      .where("link_id", "=", "")
      .where((eb) => eb.or([eb("clicks", "<>", 0), eb("leads", "<>", 0), eb("sales", "<>", 0)]))
      .executeTakeFirst();
    return row?.first === null || row?.first === undefined ? null : Number(row.first);
  }
}

/** The parts' counts, which are per link for tags and folders, under the key the query asks for. */
const regrouped = (query: TallyQuery, counted: RawBuilder<unknown>) =>
  query.key === "tag"
    ? perTag(query.workspaceId, counted)
    : query.key === "folder"
      ? perFolder(query.workspaceId, counted)
      : counted;

/** Each link's counts under each of its tags. */
const perTag = (workspaceId: string, byLink: RawBuilder<unknown>) => sql`
  select p.bucket as bucket, lt.tag_id as key, p.clicks as clicks, p.leads as leads, p.sales as sales,
         p.sale_amount as sale_amount
  from (${byLink}) p join link_tags lt on lt.workspace_id = ${workspaceId} and lt.link_id = p.key`;

/** Each link's counts under its folder; links in no folder are left out. */
const perFolder = (workspaceId: string, byLink: RawBuilder<unknown>) => sql`
  select p.bucket as bucket, l.folder_id as key, p.clicks as clicks, p.leads as leads, p.sales as sales,
         p.sale_amount as sale_amount
  from (${byLink}) p join links l on l.workspace_id = ${workspaceId} and l.id = p.key
  where l.folder_id is not null`;

const has = (query: TallyQuery, grain: Segment["grain"]) => query.segments.some((s) => s.grain === grain);

const segmentValues = (segment: Segment) =>
  sql`(cast(${segment.bucket} as integer), cast(${segment.start} as bigint), cast(${segment.end} as bigint), cast(${segment.grain} as text))`;

function rollupPart(query: TallyQuery, grain: "day" | "hour"): RawBuilder<unknown> {
  const rollup = query.rollup;
  if (!rollup) throw new Error("a rollup segment without rollup rows to read");
  const perLink = query.links !== null || keyedByLink(query.key);
  const conditions = [
    sql`r.workspace_id = ${query.workspaceId}`,
    sql`r.dimension = ${rollup.dimension}`,
    sql`r.hours = ${HOURS[grain]}`,
    perLink ? sql`r.link_id in (${matchingLinks(query)})` : sql`r.link_id = ''`,
    sql`r.period >= s.lo`,
    sql`r.period < s.hi`,
  ];
  if (rollup.values) {
    const { list, exclude, anyCase } = rollup.values;
    conditions.push(valueCondition(sql.ref("r.value"), { values: list, exclude, anyCase }));
  }
  const key =
    query.key === "none" ? null : keyedByLink(query.key) ? sql.ref("r.link_id") : sql.ref("r.value");
  return sql`
    select s.bucket as bucket, ${key ?? sql`cast('' as text)`} as key, sum(r.clicks) as clicks,
           sum(r.leads) as leads, sum(r.sales) as sales, sum(r.sale_amount) as sale_amount
    from segments s cross join rollups r
    where s.grain = ${grain} and ${sql.join(conditions, sql` and `)}
    group by s.bucket${key ? sql`, ${key}` : sql``}`;
}

function eventPart(
  query: TallyQuery,
  kind: EventKind,
  dialect: SqlDialect,
  refunds = false,
): RawBuilder<unknown> {
  const conditions = [
    sql`e.workspace_id = ${query.workspaceId}`,
    sql`e.timestamp >= s.lo`,
    sql`e.timestamp < s.hi`,
    ...filterConditions(query, kind, dialect),
    ...(query.links !== null || keyedByLink(query.key) ? [sql`e.link_id in (${matchingLinks(query)})`] : []),
  ];
  const columns =
    query.key === "none" ? [] : keyedByLink(query.key) ? ["link_id"] : DIMENSION_COLUMNS[query.key];
  const refs = columns.map((column) => sql.ref(`e.${column}`));
  const key = refs.length > 0 ? sql.join(refs, sql` || ${PART_SEPARATOR} || `) : null;
  // Sparse dimensions (UTM) have no row for "none", as in the rollups.
  if (columns[0]?.startsWith("utm_")) conditions.push(sql`${refs[0]} is not null`, sql`${refs[0]} <> ''`);
  const counts = refunds
    ? sql`0 as clicks, 0 as leads, 0 as sales,
          -sum(case when e.converted = 1 then e.amount else 0 end) as sale_amount`
    : kind === "clicks"
      ? sql`count(*) as clicks, 0 as leads, 0 as sales, 0 as sale_amount`
      : kind === "leads"
        ? sql`0 as clicks, count(*) as leads, 0 as sales, 0 as sale_amount`
        : sql`0 as clicks, 0 as leads, count(*) as sales,
              sum(case when e.converted = 1 then e.amount else 0 end) as sale_amount`;
  return sql`
    select s.bucket as bucket, ${key ?? sql`cast('' as text)`} as key, ${counts}
    from segments s cross join ${sql.table(refunds ? "refund_events" : EVENT_TABLES[kind])} e
    where s.grain = 'raw' and ${sql.join(conditions, sql` and `)}
    group by ${sql.join([sql`s.bucket`, ...refs])}`;
}

function filterConditions(
  { workspaceId, filter }: TallyQuery,
  kind: EventKind,
  dialect: SqlDialect,
): RawBuilder<unknown>[] {
  const conditions: RawBuilder<unknown>[] = [];
  if (filter.metadata)
    conditions.push(kind === "clicks" ? sql`1 = 0` : metadataCondition(dialect, filter.metadata));
  for (const [name, column] of Object.entries(EVENT_FILTER_COLUMNS)) {
    const value = filter[name as keyof EventFilter] as string | ValueFilter | undefined;
    if (typeof value === "string") conditions.push(sql`${sql.ref(`e.${column}`)} = ${value}`);
    else if (value !== undefined) conditions.push(valueCondition(sql.ref(`e.${column}`), value));
  }
  if (filter.qr !== undefined) conditions.push(sql`e.qr = ${filter.qr ? 1 : 0}`);
  if (filter.customerId !== undefined) {
    conditions.push(
      kind === "clicks"
        ? sql`e.id in (select click_id from lead_events where workspace_id = ${workspaceId} and customer_id = ${filter.customerId})`
        : sql`e.customer_id = ${filter.customerId}`,
    );
  }
  return conditions;
}

/** The links a query reads (by link id, every link of the workspace that still exists). */
function matchingLinks({ workspaceId, links }: TallyQuery): RawBuilder<unknown> {
  const conditions = [sql`l.workspace_id = ${workspaceId}`];
  for (const [name, column] of Object.entries(LINK_COLUMNS)) {
    const value = links?.[name as keyof typeof LINK_COLUMNS];
    if (value !== undefined) conditions.push(sql`${sql.ref(`l.${column}`)} = ${value}`);
  }
  if (links) conditions.push(...tagAndFolderConditions(workspaceId, links));
  return sql`select l.id from links l where ${sql.join(conditions, sql` and `)}`;
}
