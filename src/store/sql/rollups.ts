/**
 * Rollups: pre-aggregated event counts, kept in the same transaction as the events they count.
 *
 * Every event adds its counts to these cells of the `rollups` table, one per dimension value:
 *   - (workspace, link, UTC hour) for the `all` dimension only,
 *   - (workspace, link, UTC day), (workspace, every link = '', UTC hour) and (workspace, '', UTC day) for
 *     `all` and every dimension of `DIMENSIONS` the event has a value for.
 * `hours` (1 or 24) says which grain a row is; `period` is the start of its UTC hour or day (epoch ms).
 *
 * `applyRollups(trx, events, sign)` is the only writer. Pass plain event rows, as the event tables store them:
 *   - a new click: `applyRollups(trx, [clickRollup(row)], 1)`;
 *   - a lead event: `leadRollup(row)`; a sale event: `saleRollup(row)` (its USD cents count only when converted);
 *   - events deleted (a customer's, say): the same rows with sign -1, in the transaction that deletes them.
 * Cells are merged per batch, then upserted in key order (one lock order for every writer), several hundred
 * rows per statement. Cells that fall to zero are kept; readers ignore them.
 */
import { type Kysely, sql, type Transaction } from "kysely";
import {
  DAY_MS,
  DIMENSIONS,
  type Dimension,
  HOUR_MS,
  PART_SEPARATOR,
} from "../../domain/analytics/dimensions.js";
import { executeRows } from "./row-statements.js";
import type { Database } from "./schema.js";

export type RollupRow = Database["rollups"];

/** An event as the event tables store it (clicks, lead_events, sale_events), with what it counts for. */
export type RollupEvent = {
  workspace_id: string;
  link_id: string;
  timestamp: number;
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
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
  clicks: number;
  leads: number;
  sales: number;
  /** USD cents. */
  sale_amount: number;
};

type EventColumns = Omit<RollupEvent, "clicks" | "leads" | "sales" | "sale_amount">;

export const clickRollup = (row: EventColumns): RollupEvent => counted(row, 1, 0, 0, 0);

export const leadRollup = (row: EventColumns): RollupEvent => counted(row, 0, 1, 0, 0);

/** A sale counts its amount only when it was converted to USD (`amount` then holds USD cents), as links do. */
export const saleRollup = (
  row: EventColumns & { amount: number; converted: number | boolean },
): RollupEvent => counted(row, 0, 0, 1, row.converted ? Number(row.amount) : 0);

/** The value an event has for a dimension (null: none), encoded as rollup rows and readers store it. */
export function dimensionValue(event: EventColumns, dimension: Dimension): string | null {
  switch (dimension) {
    case "continents":
      return event.continent;
    case "countries":
      return event.country;
    case "regions":
      return [event.country, event.region].join(PART_SEPARATOR);
    case "cities":
      return [event.country, event.region, event.city].join(PART_SEPARATOR);
    case "devices":
      return event.device;
    case "browsers":
      return event.browser;
    case "os":
      return event.os;
    case "referers":
      return event.referer;
    case "referer_urls":
      return event.referer_url;
    case "top_urls":
      return event.url;
    case "top_domains":
      return event.domain;
    case "utm_sources":
      return event.utm_source || null;
    case "utm_mediums":
      return event.utm_medium || null;
    case "utm_campaigns":
      return event.utm_campaign || null;
    case "utm_terms":
      return event.utm_term || null;
    case "utm_contents":
      return event.utm_content || null;
    case "triggers":
      return event.trigger;
  }
}

/** The cells the events add to (see the top of this file), counts multiplied by `sign`, summed per cell, in key order. */
export function rollupRows(events: readonly RollupEvent[], sign: 1 | -1 = 1): RollupRow[] {
  const sums = new CellSums();
  for (const event of events) sums.add(event, sign);
  return sums.rows();
}

/** Merges cells with the same key, summing their counts; returned in key order. */
export function mergeCells(cells: Iterable<RollupRow>): RollupRow[] {
  const sums = new CellSums();
  for (const cell of cells) sums.addCell(cell);
  return sums.rows();
}

/**
 * Sums of cells under their keys. Events identical but for their time within the hour (most of a busy link's
 * clicks in a batch) are summed first, so their cells are computed once.
 */
class CellSums {
  private readonly cells = new Map<string, RollupRow>();
  private readonly events = new Map<string, RollupEvent>();

  add(event: RollupEvent, sign: 1 | -1): void {
    const timestamp = Number(event.timestamp);
    const hour = timestamp - mod(timestamp, HOUR_MS);
    const values = DIMENSIONS.map((dimension) => dimensionValue(event, dimension));
    const signature = `${event.workspace_id}\u0000${event.link_id}\u0000${hour}\u0000${values.join("\u0000")}`;
    const same = this.events.get(signature);
    if (same) {
      same.clicks += sign * event.clicks;
      same.leads += sign * event.leads;
      same.sales += sign * event.sales;
      same.sale_amount += sign * event.sale_amount;
      return;
    }
    this.events.set(signature, {
      ...event,
      timestamp: hour,
      clicks: sign * event.clicks,
      leads: sign * event.leads,
      sales: sign * event.sales,
      sale_amount: sign * event.sale_amount,
    });
  }

  addCell(cell: RollupRow): void {
    this.sum(cell.workspace_id, cell.dimension, cell.hours, cell.link_id, cell.period, cell.value, cell);
  }

  private sum(
    workspace_id: string,
    dimension: string,
    hours: number,
    link_id: string,
    period: number,
    value: string,
    counts: RollupEvent | RollupRow,
  ): void {
    const id = `${workspace_id}\u0000${dimension}\u0000${hours}\u0000${link_id}\u0000${period}\u0000${value}`;
    const cell = this.cells.get(id);
    if (cell === undefined) {
      this.cells.set(id, {
        workspace_id,
        dimension,
        hours,
        link_id,
        period,
        value,
        clicks: counts.clicks,
        leads: counts.leads,
        sales: counts.sales,
        sale_amount: counts.sale_amount,
      });
    } else {
      cell.clicks += counts.clicks;
      cell.leads += counts.leads;
      cell.sales += counts.sales;
      cell.sale_amount += counts.sale_amount;
    }
  }

  /** The cells, in the order of their keys: one order for every writer, so they lock rows in it on PostgreSQL. */
  rows(): RollupRow[] {
    for (const event of this.events.values()) this.expand(event);
    this.events.clear();
    return [...this.cells.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
  }

  private expand(event: RollupEvent): void {
    const { workspace_id, link_id, timestamp: hour } = event;
    const day = hour - mod(hour, DAY_MS);
    this.sum(workspace_id, "all", 1, link_id, hour, "", event);
    for (const dimension of ["all", ...DIMENSIONS] as const) {
      const value = dimension === "all" ? "" : dimensionValue(event, dimension);
      if (value === null) continue;
      this.sum(workspace_id, dimension, 24, link_id, day, value, event);
      this.sum(workspace_id, dimension, 1, "", hour, value, event);
      this.sum(workspace_id, dimension, 24, "", day, value, event);
    }
  }
}

const CHUNK = 500;

export async function applyRollups(
  trx: Transaction<Database>,
  events: readonly RollupEvent[],
  sign: 1 | -1,
): Promise<void> {
  const rows = rollupRows(events, sign);
  for (let i = 0; i < rows.length; i += CHUNK)
    await executeRows(trx, "rollups", rows.slice(i, i + CHUNK), (chunk) =>
      trx
        .insertInto("rollups")
        .values(chunk)
        .onConflict((oc) =>
          oc.columns(["workspace_id", "dimension", "hours", "link_id", "period", "value"]).doUpdateSet({
            clicks: sql<number>`rollups.clicks + excluded.clicks`,
            leads: sql<number>`rollups.leads + excluded.leads`,
            sales: sql<number>`rollups.sales + excluded.sales`,
            sale_amount: sql<number>`rollups.sale_amount + excluded.sale_amount`,
          }),
        ),
    );
}

const mod = (a: number, b: number) => ((a % b) + b) % b;

function counted(
  row: EventColumns,
  clicks: number,
  leads: number,
  sales: number,
  amount: number,
): RollupEvent {
  return {
    workspace_id: row.workspace_id,
    link_id: row.link_id,
    timestamp: Number(row.timestamp),
    domain: row.domain,
    url: row.url,
    continent: row.continent,
    country: row.country,
    region: row.region,
    city: row.city,
    device: row.device,
    browser: row.browser,
    os: row.os,
    referer: row.referer,
    referer_url: row.referer_url,
    trigger: row.trigger,
    utm_source: row.utm_source,
    utm_medium: row.utm_medium,
    utm_campaign: row.utm_campaign,
    utm_term: row.utm_term,
    utm_content: row.utm_content,
    clicks,
    leads,
    sales,
    sale_amount: amount,
  };
}

/** The first UTC day a workspace has rollups for (null: none yet), where the builders derived from them start. */
export async function firstRollupDay(db: Kysely<Database>, workspaceId: string): Promise<number | null> {
  const row = await db
    .selectFrom("rollups")
    .select((eb) => eb.fn.min("period").as("first"))
    .where("workspace_id", "=", workspaceId)
    .where("dimension", "=", "all")
    .where("hours", "=", 24)
    .where("link_id", "=", "")
    .executeTakeFirst();
  return row?.first === null || row?.first === undefined ? null : Number(row.first);
}
