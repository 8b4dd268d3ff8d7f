/**
 * Event columns (ADR 26): every UTC day of a workspace's events, per kind, stored as one compact array per
 * attribute (event-column-codec.ts), for the analytics that the rollups cannot answer. They are derived data:
 * built from the event tables in the background (`buildDue`), and trusted for a day only while the counts they
 * were built from equal that day's rollups (which every writer keeps in its own transaction). A day whose events
 * changed since (a customer erased, an event recorded late) no longer matches, is read from the events, and is
 * built again by the next run. The day in progress is built up to its last whole hour, again as hours pass, and
 * checked against its hour rollups; its events since are read from the event tables.
 */
import { type Kysely, sql } from "kysely";
import { DAY_MS, HOUR_MS, PART_SEPARATOR } from "../../domain/analytics/dimensions.js";
import type { EventKind } from "../../domain/events/model.js";
import { encodeAmounts, encodeTimes, encodeValues } from "./event-column-codec.js";
import { firstRollupDay } from "./rollups.js";
import type { Database } from "./schema.js";

const EVENT_TABLES: Record<EventKind, "clicks" | "lead_events" | "sale_events"> = {
  clicks: "clicks",
  leads: "lead_events",
  sales: "sale_events",
};

type SourceRow = {
  link_id: string;
  timestamp: number | string;
  domain: string;
  url: string;
  continent: string;
  country: string;
  region: string;
  city: string;
  device: string;
  browser: string;
  os: string;
  referer: string;
  referer_url: string;
  trigger: string;
  qr: number | boolean;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
  amount?: number | string;
  converted?: number | boolean;
};

/**
 * The attributes kept, by name, as each is read: a dimension's value as the rollups encode it (regions and cities
 * join their parts), the UTM fields as stored (null and empty apart, as the event filters tell them apart), the
 * link, and whether the click came from a QR code.
 */
export const VALUE_COLUMNS = {
  link_id: (row: SourceRow) => row.link_id,
  continents: (row: SourceRow) => row.continent,
  countries: (row: SourceRow) => row.country,
  regions: (row: SourceRow) => [row.country, row.region].join(PART_SEPARATOR),
  cities: (row: SourceRow) => [row.country, row.region, row.city].join(PART_SEPARATOR),
  devices: (row: SourceRow) => row.device,
  browsers: (row: SourceRow) => row.browser,
  os: (row: SourceRow) => row.os,
  referers: (row: SourceRow) => row.referer,
  referer_urls: (row: SourceRow) => row.referer_url,
  top_urls: (row: SourceRow) => row.url,
  top_domains: (row: SourceRow) => row.domain,
  triggers: (row: SourceRow) => row.trigger,
  qr: (row: SourceRow) => (Number(row.qr) ? "1" : "0"),
  utm_sources: (row: SourceRow) => row.utm_source,
  utm_mediums: (row: SourceRow) => row.utm_medium,
  utm_campaigns: (row: SourceRow) => row.utm_campaign,
  utm_terms: (row: SourceRow) => row.utm_term,
  utm_contents: (row: SourceRow) => row.utm_content,
} as const;

export type ValueColumnName = keyof typeof VALUE_COLUMNS;

/** How a day of one kind is read: from its columns, from the events, or not at all (it has none). */
/** "refunded": a sales day with refunds, read from its events (columns hold no refunds) and never rebuilt. */
export type DayState = "columns" | "events" | "refunded" | "empty";

/** Days (and hours of the day in progress) are built once over by this much: clicks still being committed are in. */
const GRACE_MS = 5 * 60_000;

/** The days' states, and where the columns of a "columns" day end when they were built before it was over. */
export class DayStates extends Map<EventKind, Map<number, DayState>> {
  readonly ends = new Map<string, number>();

  /** Ms from the day's start before which its events are in its columns. */
  until(kind: EventKind, day: number): number {
    return this.ends.get(`${kind} ${day}`) ?? DAY_MS;
  }
}

export class EventColumns {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * How each UTC day in [fromDay, toDay] (day starts, epoch ms) is read, per kind: a day's columns are used
   * while the counts they were built from equal the day's rollups (the hour rollups before `until_ms` for
   * columns built before the day was over).
   */
  async dayStates(
    workspaceId: string,
    kinds: readonly EventKind[],
    fromDay: number,
    toDay: number,
  ): Promise<DayStates> {
    fromDay = Math.floor(fromDay / DAY_MS) * DAY_MS;
    const [totals, refunded, built] = await Promise.all([
      this.totals(workspaceId, 24, fromDay, toDay + DAY_MS),
      kinds.includes("sales") ? this.refundDays(workspaceId, fromDay, toDay) : new Set<number>(),
      this.db
        .selectFrom("event_column_days")
        .select(["kind", "day", "events", "amount", "until_ms"])
        .where("workspace_id", "=", workspaceId)
        .where("kind", "in", kinds as EventKind[])
        .where("day", ">=", fromDay)
        .where("day", "<=", toDay)
        .execute(),
    ]);
    const dayTotals = new Map(totals.map((row) => [row.period, row]));
    const builtOf = new Map(built.map((row) => [`${row.kind} ${Number(row.day)}`, row]));
    const partialDays = built.filter((row) => row.until_ms !== null).map((row) => Number(row.day));
    const hours = partialDays.length
      ? await this.totals(workspaceId, 1, Math.min(...partialDays), Math.max(...partialDays) + DAY_MS)
      : [];
    const states = new DayStates();
    for (const kind of kinds) {
      const byDay = new Map<number, DayState>();
      for (let day = fromDay; day <= toDay; day += DAY_MS) {
        const id = `${kind} ${day}`;
        const expected = expectedOf(kind, dayTotals.get(day));
        const header = builtOf.get(id);
        const until = header?.until_ms === null || header === undefined ? DAY_MS : Number(header.until_ms);
        const builtFrom =
          until === DAY_MS
            ? expected
            : sumOf(
                kind,
                hours.filter((row) => row.period >= day && row.period < day + until),
              );
        const current =
          header !== undefined &&
          Number(header.events) === builtFrom.events &&
          Number(header.amount) === builtFrom.amount;
        byDay.set(
          day,
          expected.events === 0
            ? "empty"
            : kind === "sales" && refunded.has(day)
              ? "refunded"
              : current
                ? "columns"
                : "events",
        );
        if (current && until < DAY_MS) states.ends.set(id, until);
      }
      states.set(kind, byDay);
    }
    return states;
  }

  /**
   * Builds the columns of every day of every workspace whose columns are missing, stale, or (the day in
   * progress) an hour behind, at most `maxDays` days of one kind per call (the oldest first); returns how many
   * it built.
   */
  async buildDue(now: number, maxDays = 24): Promise<number> {
    const today = Math.floor((now - GRACE_MS) / DAY_MS) * DAY_MS;
    // Whole hours of the day in progress that are over by the grace period.
    const todayUntil = Math.floor((now - GRACE_MS - today) / HOUR_MS) * HOUR_MS;
    const workspaces = await this.db.selectFrom("workspaces").select("id").orderBy("id").execute();
    let built = 0;
    for (const { id } of workspaces) {
      const first = await firstRollupDay(this.db, id);
      if (first === null || first > today) continue;
      const states = await this.dayStates(id, ["clicks", "leads", "sales"], first, today);
      for (const [kind, byDay] of states)
        for (const [day, state] of byDay) {
          const until = states.until(kind, day);
          const due =
            day === today
              ? todayUntil > 0 && (state === "events" || (state === "columns" && until < todayUntil))
              : state === "events" || (state === "columns" && until < DAY_MS);
          if (!due) continue;
          if (built >= maxDays) return built;
          await this.build(id, kind, day, now, day === today ? todayUntil : DAY_MS);
          built += 1;
        }
    }
    return built;
  }

  /**
   * Builds (again) one day's columns of one kind from its events before `until` (ms from the day's start), in
   * one transaction.
   */
  async build(
    workspaceId: string,
    kind: EventKind,
    day: number,
    now = Date.now(),
    until = DAY_MS,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const rows = (await trx
        .selectFrom(EVENT_TABLES[kind])
        .select([
          "link_id",
          "timestamp",
          "domain",
          "url",
          "continent",
          "country",
          "region",
          "city",
          "device",
          "browser",
          "os",
          "referer",
          "referer_url",
          "trigger",
          "qr",
          "utm_source",
          "utm_medium",
          "utm_campaign",
          "utm_term",
          "utm_content",
          ...(kind === "sales"
            ? [sql<number>`amount`.as("amount"), sql<number>`converted`.as("converted")]
            : []),
        ])
        .where("workspace_id", "=", workspaceId)
        .where("timestamp", ">=", day)
        .where("timestamp", "<", day + until)
        .orderBy("timestamp")
        .execute()) as SourceRow[];
      const columns: { name: string; data: Buffer }[] = [
        { name: "time", data: encodeTimes(rows.map((row) => Number(row.timestamp) - day)) },
      ];
      for (const [name, read] of Object.entries(VALUE_COLUMNS))
        columns.push({ name, data: encodeValues(rows.map(read)) });
      let amount = 0;
      if (kind === "sales") {
        const amounts = rows.map((row) => (Number(row.converted) ? Number(row.amount) : 0));
        amount = amounts.reduce((sum, value) => sum + value, 0);
        columns.push({ name: "amount", data: encodeAmounts(amounts) });
      }
      await trx
        .deleteFrom("event_columns")
        .where("workspace_id", "=", workspaceId)
        .where("kind", "=", kind)
        .where("day", "=", day)
        .execute();
      await trx
        .insertInto("event_columns")
        .values(columns.map(({ name, data }) => ({ workspace_id: workspaceId, kind, name, day, data })))
        .execute();
      const header = { events: rows.length, amount, built_at: now, until_ms: until < DAY_MS ? until : null };
      await trx
        .insertInto("event_column_days")
        .values({ workspace_id: workspaceId, kind, day, ...header })
        .onConflict((oc) => oc.columns(["workspace_id", "kind", "day"]).doUpdateSet(header))
        .execute();
    });
  }

  /** The UTC days in [fromDay, toDay] on which the workspace refunded something. */
  private async refundDays(workspaceId: string, fromDay: number, toDay: number): Promise<Set<number>> {
    const rows = await this.db
      .selectFrom("refund_events")
      .select("timestamp")
      .where("workspace_id", "=", workspaceId)
      .where("timestamp", ">=", fromDay)
      .where("timestamp", "<", toDay + DAY_MS)
      .execute();
    return new Set(rows.map((row) => Math.floor(Number(row.timestamp) / DAY_MS) * DAY_MS));
  }

  /** The workspace's totals per hour or per day (its `all` rollups) in [from, to). */
  private async totals(workspaceId: string, hours: 1 | 24, from: number, to: number) {
    const rows = await this.db
      .selectFrom("rollups")
      .select(["period", "clicks", "leads", "sales", "sale_amount"])
      .where("workspace_id", "=", workspaceId)
      .where("dimension", "=", "all")
      .where("hours", "=", hours)
      .where("link_id", "=", "")
      .where("period", ">=", from)
      .where("period", "<", to)
      .execute();
    return rows.map((row) => ({ ...row, period: Number(row.period) }));
  }
}

type Totals = { clicks: number; leads: number; sales: number; sale_amount: number };

const sumOf = (kind: EventKind, rows: readonly Totals[]) =>
  rows.reduce(
    (sum, row) => {
      const one = expectedOf(kind, row);
      return { events: sum.events + one.events, amount: sum.amount + one.amount };
    },
    { events: 0, amount: 0 },
  );

function expectedOf(kind: EventKind, totals: Totals | undefined): { events: number; amount: number } {
  if (!totals) return { events: 0, amount: 0 };
  if (kind === "clicks") return { events: Number(totals.clicks), amount: 0 };
  if (kind === "leads") return { events: Number(totals.leads), amount: 0 };
  return { events: Number(totals.sales), amount: Number(totals.sale_amount) };
}
