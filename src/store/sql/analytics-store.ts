import { type Kysely, type RawBuilder, type SqlBool, sql } from "kysely";
import type { Dimension } from "../../domain/analytics/dimensions.js";
import { DAY_MS, PART_SEPARATOR } from "../../domain/analytics/dimensions.js";
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
import type { TimeRange } from "../../domain/events/time-range.js";
import {
  type ColumnScanner,
  columnsAnswer,
  type Piece,
  type ScannedRow,
  scannerOnEventLoop,
} from "./event-column-scan.js";
import { EventColumns } from "./event-columns.js";
import { EVENT_FILTER_COLUMNS } from "./event-filter-columns.js";
import { metadataCondition, type SqlDialect } from "./metadata-conditions.js";
import { MonthRollups, monthsWithin, nextMonth } from "./month-rollups.js";
import type { Database } from "./schema.js";
import { tagAndFolderConditions } from "./tag-folder-conditions.js";
import { valueCondition } from "./value-condition.js";

const EVENT_TABLES: Record<EventKind, string> = {
  clicks: "clicks",
  leads: "lead_events",
  sales: "sale_events",
};

/** Where each rollup grain's rows are: the day and hour rows of `rollups`, or the month rollups (ADR 37). */
const ROLLUP_GRAINS = {
  month: { table: "month_rollups", hours: null },
  day: { table: "rollups", hours: 24 },
  hour: { table: "rollups", hours: 1 },
} as const;
type RollupGrain = keyof typeof ROLLUP_GRAINS;

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
  private readonly columns: EventColumns;
  private readonly months: MonthRollups;
  private readonly scanner: ColumnScanner;

  /** `scanner`: reader threads for column scans (ADR 33); null scans on the event loop. */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
    scanner: ColumnScanner | null = null,
  ) {
    this.columns = new EventColumns(db);
    this.months = new MonthRollups(db);
    this.scanner = scanner ?? scannerOnEventLoop(db);
  }

  /**
   * The raw segments' closed days whose event columns are current, counted from the columns (ADR 26); what
   * is left (today, stale days) stays raw, per kind. Null when the columns do not help.
   */
  private async fromColumns(
    query: TallyQuery,
  ): Promise<{ rows: ScannedRow[]; rawSegments: LabelledSegment[] } | null> {
    const raw = query.segments.filter((segment) => segment.grain === "raw");
    const length = raw.reduce((sum, segment) => sum + segment.end - segment.start, 0);
    if (length < MIN_SCANNED_MS || !columnsAnswer(query.filter)) return null;
    const fromDay = floorDay(Math.min(...raw.map((segment) => segment.start)));
    const toDay = floorDay(Math.max(...raw.map((segment) => segment.end)) - 1);
    const states = await this.columns.dayStates(query.workspaceId, query.kinds, fromDay, toDay);
    const pieces: Piece[] = [];
    const rawSegments: LabelledSegment[] = [];
    const readRaw = (kind: EventKind, bucket: number, start: number, end: number) => {
      const last = rawSegments.at(-1);
      if (last && last.grain === rawGrain(kind) && last.bucket === bucket && last.end === start)
        last.end = end;
      else rawSegments.push({ bucket, start, end, grain: rawGrain(kind) });
    };
    for (const kind of query.kinds) {
      const byDay = states.get(kind);
      for (const segment of raw) {
        for (let day = floorDay(segment.start); day < segment.end; day += DAY_MS) {
          const start = Math.max(segment.start, day);
          const end = Math.min(segment.end, day + DAY_MS);
          const state = byDay?.get(day) ?? "events";
          if (state === "columns") {
            // Columns built before the day was over hold its events before `until`; the rest are read raw. The
            // piece stops at `until` too: columns rebuilt later, before they are read, hold more.
            const until = day + states.until(kind, day);
            if (start < until)
              pieces.push({
                kind,
                day,
                bucket: segment.bucket,
                lo: start - day,
                hi: Math.min(end, until) - day,
              });
            if (end > until) readRaw(kind, segment.bucket, Math.max(start, until), end);
          } else if (state !== "empty") readRaw(kind, segment.bucket, start, end);
        }
      }
    }
    if (pieces.length === 0) return null;
    const scoped = query.links !== null || keyedByLink(query.key);
    const links = scoped
      ? new Set((await regroupedLinks(query).execute(this.db)).rows.map((row) => (row as { id: string }).id))
      : null;
    if (links?.size === 0) return { rows: [], rawSegments };
    const rows = await this.scanner.scan(
      { workspaceId: query.workspaceId, key: query.key, filter: query.filter, links, dialect: this.dialect },
      pieces,
    );
    return { rows, rawSegments };
  }

  /**
   * Rollups of a dimension hold a row per day and value, per link too. When a filter selects many links, or the
   * dimension has many values a day (`referer_urls`: ~540 a day on the 10M bench), those rows cost more to sum than
   * the event columns cost to count for the same days (every event of those days). Weighed apart for the whole
   * months read from month rollups (ADR 37) and for the days around them: the grains whose rows cost more are
   * counted from the columns instead, if every closed day of the range has them current.
   */
  private async grainsOutgrowingColumns(
    query: TallyQuery,
    pieces: readonly LabelledSegment[],
  ): Promise<ReadonlySet<string>> {
    const rollup = query.rollup;
    const days = pieces.filter((piece) => piece.grain === "day" || piece.grain === "month");
    if (!rollup || rollup.dimension === "all" || days.length === 0 || !columnsAnswer(query.filter))
      return NO_GRAINS;
    const perLink = query.links !== null || keyedByLink(query.key);
    // PostgreSQL sums the workspace's rollup rows faster and reads the columns' blobs slower (TOAST): at 10M,
    // `referer_urls` over a year took 88–105 ms from its rollups and 586–765 ms from the columns.
    if (!perLink && this.dialect !== "sqlite") return NO_GRAINS;
    const lo = Math.min(...days.map((segment) => segment.start));
    const hi = Math.max(...days.map((segment) => segment.end));
    // Both reads are counted on the range's last week: the day rollup rows the query would visit (all of a
    // link-day's values, whatever the value filter: values come after periods in the key), those of them the value
    // filter keeps, and the events the columns would count. A year of link-days cost 20 ms. In month rollups values
    // come before months in the key: a list of values seeks its rows of the range's months (counted on the last
    // of them), anything else visits every month's rows of the links, about as many a month as the week has
    // distinct link-values (a month has 1–7 times a day's rows; counting them in the month would visit them all).
    const sampled = Math.max(lo, hi - SAMPLE_DAYS * DAY_MS);
    const monthStarts = days.flatMap((piece) =>
      piece.grain === "month" ? monthsWithin(piece.start, piece.end) : [],
    );
    const dayRows = (linkId: RawBuilder<SqlBool>, dimension: string) =>
      sql`r.workspace_id = ${query.workspaceId} and r.dimension = ${dimension} and r.hours = 24 and ${linkId}
          and r.period >= ${sampled} and r.period < ${hi}`;
    const values = rollup.values;
    const seeks = values !== null && !values.exclude && !values.anyCase;
    const kept = values
      ? valueCondition(sql.ref("r.value"), {
          values: values.list,
          exclude: values.exclude,
          anyCase: values.anyCase,
        })
      : sql<SqlBool>`1 = 1`;
    const links = perLink
      ? sql<SqlBool>`r.link_id in (${regroupedLinks(query)})`
      : sql<SqlBool>`r.link_id = ''`;
    const visits = (rows: RawBuilder<unknown>) =>
      sql`select count(*) as visited, sum(case when ${kept} then 1 else 0 end) as kept from ${rows} r`;
    const monthVisits =
      monthStarts.length === 0
        ? sql`select 0 as visited, 0 as kept`
        : seeks
          ? visits(sql`(select r.value from month_rollups r
                        where r.workspace_id = ${query.workspaceId} and r.dimension = ${rollup.dimension} and ${links}
                          and ${kept} and r.period = ${monthStarts.at(-1)})`)
          : visits(
              sql`(select distinct r.link_id, r.value from rollups r where ${dayRows(links, rollup.dimension)})`,
            );
    const { rows } = await sql<
      Record<"events" | "visited" | "kept" | "monthVisited" | "monthKept" | "builtMonths", unknown>
    >`
      select (select sum(r.clicks + r.leads + r.sales) from rollups r
              where ${dayRows(sql<SqlBool>`r.link_id = ''`, "all")}) as events,
             (select count(*) from month_rollup_builds b where b.workspace_id = ${query.workspaceId}) as "builtMonths",
             d.visited as visited, d.kept as kept, m.visited as "monthVisited", m.kept as "monthKept"
      from (${visits(sql`(select r.value from rollups r where ${dayRows(links, rollup.dimension)})`)}) d
      cross join (${monthVisits}) m`.execute(this.db);
    const count = (name: keyof (typeof rows)[number]) => Number(rows[0]?.[name] ?? 0);
    const cost = (visited: number, kept: number) =>
      visited * VISITED_ROW_COST_IN_EVENTS + kept * KEPT_ROW_COST_IN_EVENTS;
    const sampledDays = (hi - sampled) / DAY_MS;
    const eventsADay = count("events") / sampledDays;
    const lengthOf = (grain: string) =>
      days.filter((piece) => piece.grain === grain).reduce((sum, p) => sum + p.end - p.start, 0) / DAY_MS;
    const rollupCost = {
      day: (cost(count("visited"), count("kept")) * lengthOf("day")) / sampledDays,
      month: seeks
        ? cost(count("monthKept"), count("monthKept")) * monthStarts.length
        : count("monthVisited") * VISITED_ROW_COST_IN_EVENTS * count("builtMonths") +
          count("monthKept") * KEPT_ROW_COST_IN_EVENTS * monthStarts.length,
    };
    // The columns' events are counted on the scanner's threads side by side.
    const grains = new Set(
      (["day", "month"] as const).filter(
        (grain) =>
          lengthOf(grain) > 0 && rollupCost[grain] * this.scanner.threads > eventsADay * lengthOf(grain),
      ),
    );
    if (grains.size === 0) return NO_GRAINS;
    const counted = days.filter((piece) => grains.has(piece.grain as "day" | "month"));
    const states = await this.columns.dayStates(
      query.workspaceId,
      query.kinds,
      Math.min(...counted.map((piece) => piece.start)),
      Math.max(...counted.map((piece) => piece.end)) - 1,
    );
    const current = [...states.values()].every((byDay) =>
      [...byDay.values()].every((state) => state === "columns" || state === "empty"),
    );
    return current ? grains : NO_GRAINS;
  }

  /** The whole UTC months of the query's day segments whose month rollups are current. */
  private async currentMonths(query: TallyQuery): Promise<ReadonlySet<number>> {
    const days = query.segments.filter((segment) => segment.grain === "day");
    if (!query.rollup || !days.some((segment) => monthsWithin(segment.start, segment.end).length > 0))
      return NO_MONTHS;
    return this.months.current(
      query.workspaceId,
      Math.min(...days.map((segment) => segment.start)),
      Math.max(...days.map((segment) => segment.end)),
    );
  }

  async tally(asked: TallyQuery): Promise<Tally[]> {
    if (asked.segments.length === 0) return [];
    const months = await this.currentMonths(asked);
    const pieces = asked.segments.flatMap((segment): LabelledSegment[] =>
      segment.grain === "day" ? byMonth(segment, months) : [segment],
    );
    const toColumns = await this.grainsOutgrowingColumns(asked, pieces);
    const rollupSegments = pieces.filter((piece) => piece.grain !== "raw" && !toColumns.has(piece.grain));
    const query: TallyQuery = {
      ...asked,
      segments: [
        ...asked.segments.filter((segment) => segment.grain === "raw"),
        ...pieces
          .filter((piece) => toColumns.has(piece.grain))
          .map(({ bucket, start, end }) => ({ bucket, start, end, grain: "raw" as const })),
      ],
    };
    const columnar = await this.fromColumns(query);
    const segments: LabelledSegment[] = columnar
      ? [...rollupSegments, ...columnar.rawSegments, NO_SEGMENT]
      : [...rollupSegments, ...query.segments.filter((s) => s.grain === "raw")];
    const rawGrainOf = (kind: EventKind): string | null =>
      columnar
        ? columnar.rawSegments.some((s) => s.grain === rawGrain(kind))
          ? rawGrain(kind)
          : null
        : has(query, "raw")
          ? "raw"
          : null;
    const rawParts = query.kinds.flatMap((kind) => {
      const grain = rawGrainOf(kind);
      if (grain === null) return [];
      const read = { grain, segments };
      // Refunds take their USD back from sale amounts at the refund's time (ADR 27); rollups have them already.
      return kind === "sales"
        ? [eventPart(query, kind, this.dialect, read), eventPart(query, kind, this.dialect, read, true)]
        : [eventPart(query, kind, this.dialect, read)];
    });
    const parts = [
      ...(Object.keys(ROLLUP_GRAINS) as RollupGrain[]).flatMap((grain) =>
        segments.some((s) => s.grain === grain) ? [rollupPart(query, grain, this.dialect)] : [],
      ),
      ...rawParts,
      ...(columnar && columnar.rows.length > 0 ? [scannedPart(columnar.rows, this.dialect)] : []),
    ];
    if (parts.length === 0) return [];
    const counted = sql.join(parts, sql` union all `);
    const ranking = query.orderBy.map((metric) => sql.raw(`sum(t.${METRIC_COLUMNS[metric]})`));
    const { rows } = await sql<Row>`
      with segments (bucket, lo, hi, grain) as (values ${sql.join(segments.map(segmentValues))})
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

/** The links whose rollup rows, events or columns a tally reads: for tags and folders, only those with one (the join
 * drops the rest, and a workspace whose links have no tag would otherwise read every link's rows for nothing). */
function regroupedLinks(query: TallyQuery): RawBuilder<unknown> {
  if (query.key === "tag")
    return sql`select l.id from (${matchingLinks(query)}) l
               where exists (select 1 from link_tags lt where lt.workspace_id = ${query.workspaceId} and lt.link_id = l.id)`;
  if (query.key === "folder")
    return sql`select l.id from (${matchingLinks(query)}) l
               join links f on f.workspace_id = ${query.workspaceId} and f.id = l.id where f.folder_id is not null`;
  return matchingLinks(query);
}

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

/** A segment whose grain may also be `raw <kind>`: raw for that kind only, the others reading event columns. */
type LabelledSegment = Omit<Segment, "grain"> & { grain: string };

const rawGrain = (kind: EventKind) => `raw ${kind}`;

/** Keeps the segments' VALUES list from being empty when the columns answer everything. */
const NO_SEGMENT: LabelledSegment = { bucket: 0, start: 0, end: 0, grain: "none" };

/** Raw segments shorter than this in all are read from the events, the columns' bookkeeping costing more. */
const MIN_SCANNED_MS = 6 * 3_600_000;
/**
 * What a rollup row costs, in events the columns count in the same time (measured at 10M clicks, where the
 * columns count ~20 ns an event): a row visited and dropped by the value filter ~0.15 µs, a row summed ~1 µs.
 */
const VISITED_ROW_COST_IN_EVENTS = 8;
const KEPT_ROW_COST_IN_EVENTS = 42;
const SAMPLE_DAYS = 7;

const floorDay = (epoch: number) => Math.floor(epoch / DAY_MS) * DAY_MS;

const NO_MONTHS: ReadonlySet<number> = new Set();
const NO_GRAINS: ReadonlySet<string> = new Set();

/** A day segment read from the month rollups for its whole months that are current, from day rollups around them. */
function byMonth(segment: Segment, months: ReadonlySet<number>): LabelledSegment[] {
  const pieces: LabelledSegment[] = [];
  let from = segment.start;
  for (const month of monthsWithin(segment.start, segment.end)) {
    if (!months.has(month)) continue;
    if (from < month) pieces.push({ ...segment, start: from, end: month, grain: "day" });
    const end = nextMonth(month);
    const last = pieces.at(-1);
    if (last?.grain === "month" && last.end === month) last.end = end;
    else pieces.push({ ...segment, start: month, end, grain: "month" });
    from = end;
  }
  if (from < segment.end) pieces.push({ ...segment, start: from, end: segment.end, grain: "day" });
  return pieces;
}

/** Tallies counted from event columns, as rows of the union (a JSON array bound as one parameter). */
function scannedPart(rows: ScannedRow[], dialect: SqlDialect): RawBuilder<unknown> {
  const json = JSON.stringify(rows);
  return dialect === "sqlite"
    ? sql`
    select cast(json_extract(j.value, '$[0]') as integer) as bucket, json_extract(j.value, '$[1]') as key,
           json_extract(j.value, '$[2]') as clicks, json_extract(j.value, '$[3]') as leads,
           json_extract(j.value, '$[4]') as sales, json_extract(j.value, '$[5]') as sale_amount
    from json_each(${json}) j`
    : sql`
    select (j.value->>0)::integer as bucket, j.value->>1 as key, (j.value->>2)::bigint as clicks,
           (j.value->>3)::bigint as leads, (j.value->>4)::bigint as sales, (j.value->>5)::bigint as sale_amount
    from jsonb_array_elements(cast(${json} as jsonb)) j(value)`;
}

const has = (query: TallyQuery, grain: Segment["grain"]) => query.segments.some((s) => s.grain === grain);

const segmentValues = (segment: LabelledSegment) =>
  sql`(cast(${segment.bucket} as integer), cast(${segment.start} as bigint), cast(${segment.end} as bigint), cast(${segment.grain} as text))`;

function rollupPart(query: TallyQuery, grain: RollupGrain, dialect: SqlDialect): RawBuilder<unknown> {
  const rollup = query.rollup;
  if (!rollup) throw new Error("a rollup segment without rollup rows to read");
  const perLink = query.links !== null || keyedByLink(query.key);
  const { table, hours } = ROLLUP_GRAINS[grain];
  const conditions = [
    sql`r.workspace_id = ${query.workspaceId}`,
    sql`r.dimension = ${rollup.dimension}`,
    ...(hours === null ? [] : [sql`r.hours = ${hours}`]),
    perLink ? sql`r.link_id in (${regroupedLinks(query)})` : sql`r.link_id = ''`,
    sql`r.period >= s.lo`,
    sql`r.period < s.hi`,
  ];
  if (rollup.values) {
    const { list, exclude, anyCase } = rollup.values;
    // SQLite, with statistics from ANALYZE, may plan `value in (…)` as an automatic index built over every
    // rollup row (seconds at 10M clicks); a unary plus keeps the value a filter on the period range. In month
    // rollups the value comes before the month in the key: there it is what the read seeks.
    const value = dialect === "sqlite" && grain !== "month" ? sql`+r.value` : sql.ref("r.value");
    conditions.push(valueCondition(value, { values: list, exclude, anyCase }));
  }
  const key =
    query.key === "none" ? null : keyedByLink(query.key) ? sql.ref("r.link_id") : sql.ref("r.value");
  return sql`
    select s.bucket as bucket, ${key ?? sql`cast('' as text)`} as key, sum(r.clicks) as clicks,
           sum(r.leads) as leads, sum(r.sales) as sales, sum(r.sale_amount) as sale_amount
    from segments s cross join ${sql.table(table)} r
    where s.grain = ${grain} and ${sql.join(conditions, sql` and `)}
    group by s.bucket${key ? sql`, ${key}` : sql``}`;
}

/** A grain's segments as a few time ranges: adjacent ones merged (so sorted and disjoint), one span when many. */
function rangesOf(segments: LabelledSegment[], grain: string): TimeRange[] {
  const ranges: TimeRange[] = [];
  for (const { start, end } of segments.filter((s) => s.grain === grain).sort((a, b) => a.start - b.start)) {
    const last = ranges.at(-1);
    if (last && start <= last.end) last.end = Math.max(last.end, end);
    else ranges.push({ start, end });
  }
  return ranges.length > MAX_LITERAL_RANGES
    ? [{ start: ranges[0].start, end: ranges[ranges.length - 1].end }]
    : ranges;
}

const MAX_LITERAL_RANGES = 8;

function eventPart(
  query: TallyQuery,
  kind: EventKind,
  dialect: SqlDialect,
  { grain, segments }: { grain: string; segments: LabelledSegment[] },
  refunds = false,
): RawBuilder<unknown> {
  const conditions = [
    sql`e.workspace_id = ${query.workspaceId}`,
    // The ranges as literals let PostgreSQL prune the monthly partitions and range the index when it plans; bounds
    // known only from the joined segments left it scanning every partition of a year (17 s at 10M clicks). SQLite
    // would read every range again for each segment it loops over (a MULTI-INDEX OR beside the segment's bounds).
    ...(dialect === "postgres"
      ? [
          sql`(${sql.join(
            rangesOf(segments, grain).map(
              (range) => sql`(e.timestamp >= ${range.start} and e.timestamp < ${range.end})`,
            ),
            sql` or `,
          )})`,
        ]
      : []),
    sql`e.timestamp >= s.lo`,
    sql`e.timestamp < s.hi`,
    ...filterConditions(query, kind, dialect),
    ...(query.links !== null || keyedByLink(query.key) ? [sql`e.link_id in (${regroupedLinks(query)})`] : []),
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
    where s.grain = ${grain} and ${sql.join(conditions, sql` and `)}
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
