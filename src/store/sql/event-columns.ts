/**
 * Event columns (ADR 26): every closed UTC day of a workspace's events, per kind, stored as one compact array per
 * attribute (event-column-codec.ts), for the analytics that the rollups cannot answer. They are derived data:
 * built from the event tables in the background (`buildDue`), and trusted for a day only while the counts they
 * were built from equal that day's rollups (which every writer keeps in its own transaction). A day whose events
 * changed since (a customer erased, an event recorded late) no longer matches, is read from the events, and is
 * built again by the next run.
 */
import { type Kysely, sql } from "kysely";
import { DAY_MS, PART_SEPARATOR } from "../../domain/analytics/dimensions.js";
import type { EventKind } from "../../domain/events/model.js";
import { encodeAmounts, encodeTimes, encodeValues } from "./event-column-codec.js";
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

/** Days are built once they are over by this much, so that clicks still being committed are in them. */
const GRACE_MS = 5 * 60_000;

export class EventColumns {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * How each UTC day in [fromDay, toDay] (day starts, epoch ms) is read, per kind: a day's columns are used
   * while the counts they were built from equal the day's rollups.
   */
  async dayStates(
    workspaceId: string,
    kinds: readonly EventKind[],
    fromDay: number,
    toDay: number,
  ): Promise<Map<EventKind, Map<number, DayState>>> {
    fromDay = Math.floor(fromDay / DAY_MS) * DAY_MS;
    const [totals, refunded, built] = await Promise.all([
      this.dayTotals(workspaceId, fromDay, toDay),
      kinds.includes("sales") ? this.refundDays(workspaceId, fromDay, toDay) : new Set<number>(),
      this.db
        .selectFrom("event_column_days")
        .select(["kind", "day", "events", "amount"])
        .where("workspace_id", "=", workspaceId)
        .where("kind", "in", kinds as EventKind[])
        .where("day", ">=", fromDay)
        .where("day", "<=", toDay)
        .execute(),
    ]);
    const builtOf = new Map(built.map((row) => [`${row.kind} ${Number(row.day)}`, row]));
    const states = new Map<EventKind, Map<number, DayState>>();
    for (const kind of kinds) {
      const byDay = new Map<number, DayState>();
      for (let day = fromDay; day <= toDay; day += DAY_MS) {
        const expected = expectedOf(kind, totals.get(day));
        const header = builtOf.get(`${kind} ${day}`);
        byDay.set(
          day,
          expected.events === 0
            ? "empty"
            : kind === "sales" && refunded.has(day)
              ? "refunded"
              : header &&
                  Number(header.events) === expected.events &&
                  Number(header.amount) === expected.amount
                ? "columns"
                : "events",
        );
      }
      states.set(kind, byDay);
    }
    return states;
  }

  /**
   * Builds the columns of every day of every workspace that is over and whose columns are missing or stale, at
   * most `maxDays` days of one kind per call (the oldest first); returns how many it built.
   */
  async buildDue(now: number, maxDays = 24): Promise<number> {
    const lastDay = Math.floor((now - GRACE_MS) / DAY_MS) * DAY_MS - DAY_MS;
    const workspaces = await this.db.selectFrom("workspaces").select("id").orderBy("id").execute();
    let built = 0;
    for (const { id } of workspaces) {
      const first = await this.db
        .selectFrom("rollups")
        .select((eb) => eb.fn.min("period").as("first"))
        .where("workspace_id", "=", id)
        .where("dimension", "=", "all")
        .where("hours", "=", 24)
        .where("link_id", "=", "")
        .executeTakeFirst();
      if (first?.first === null || first?.first === undefined || Number(first.first) > lastDay) continue;
      const states = await this.dayStates(id, ["clicks", "leads", "sales"], Number(first.first), lastDay);
      for (const [kind, byDay] of states)
        for (const [day, state] of byDay) {
          if (state !== "events") continue;
          if (built >= maxDays) return built;
          await this.build(id, kind, day, now);
          built += 1;
        }
    }
    return built;
  }

  /** Builds (again) one day's columns of one kind from its events, in one transaction. */
  async build(workspaceId: string, kind: EventKind, day: number, now = Date.now()): Promise<void> {
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
        .where("timestamp", "<", day + DAY_MS)
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
      await trx
        .insertInto("event_column_days")
        .values({ workspace_id: workspaceId, kind, day, events: rows.length, amount, built_at: now })
        .onConflict((oc) =>
          oc
            .columns(["workspace_id", "kind", "day"])
            .doUpdateSet({ events: rows.length, amount, built_at: now }),
        )
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

  /** Each day's totals from the workspace's day rollups. */
  private async dayTotals(workspaceId: string, fromDay: number, toDay: number) {
    const rows = await this.db
      .selectFrom("rollups")
      .select(["period", "clicks", "leads", "sales", "sale_amount"])
      .where("workspace_id", "=", workspaceId)
      .where("dimension", "=", "all")
      .where("hours", "=", 24)
      .where("link_id", "=", "")
      .where("period", ">=", fromDay)
      .where("period", "<=", toDay)
      .execute();
    return new Map(rows.map((row) => [Number(row.period), row]));
  }
}

function expectedOf(
  kind: EventKind,
  totals: { clicks: number; leads: number; sales: number; sale_amount: number } | undefined,
): { events: number; amount: number } {
  if (!totals) return { events: 0, amount: 0 };
  if (kind === "clicks") return { events: Number(totals.clicks), amount: 0 };
  if (kind === "leads") return { events: Number(totals.leads), amount: 0 };
  return { events: Number(totals.sales), amount: Number(totals.sale_amount) };
}
