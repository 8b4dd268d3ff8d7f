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
import { sql, type Transaction } from "kysely";
import {
  DAY_MS,
  DIMENSIONS,
  type Dimension,
  HOUR_MS,
  PART_SEPARATOR,
  type RollupDimension,
} from "../../domain/analytics/dimensions.js";
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

export const clickRollup = (row: EventColumns): RollupEvent => ({
  ...pick(row),
  clicks: 1,
  leads: 0,
  sales: 0,
  sale_amount: 0,
});

export const leadRollup = (row: EventColumns): RollupEvent => ({
  ...pick(row),
  clicks: 0,
  leads: 1,
  sales: 0,
  sale_amount: 0,
});

/** A sale counts its amount only when it was converted to USD (`amount` then holds USD cents), as links do. */
export const saleRollup = (
  row: EventColumns & { amount: number; converted: number | boolean },
): RollupEvent => ({
  ...pick(row),
  clicks: 0,
  leads: 0,
  sales: 1,
  sale_amount: row.converted ? Number(row.amount) : 0,
});

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

/** Every cell an event adds to (see the top of this file), its counts multiplied by `sign`. */
export function rollupCells(event: RollupEvent, sign: 1 | -1 = 1): RollupRow[] {
  const timestamp = Number(event.timestamp);
  const hour = timestamp - mod(timestamp, HOUR_MS);
  const day = timestamp - mod(timestamp, DAY_MS);
  const counts = {
    clicks: sign * event.clicks,
    leads: sign * event.leads,
    sales: sign * event.sales,
    sale_amount: sign * event.sale_amount,
  };
  const cell = (dimension: RollupDimension, value: string, linkId: string, hours: 1 | 24): RollupRow => ({
    workspace_id: event.workspace_id,
    dimension,
    hours,
    link_id: linkId,
    period: hours === 1 ? hour : day,
    value,
    ...counts,
  });
  const cells = [cell("all", "", event.link_id, 1)];
  for (const dimension of ["all", ...DIMENSIONS] as const) {
    const value = dimension === "all" ? "" : dimensionValue(event, dimension);
    if (value === null) continue;
    cells.push(
      cell(dimension, value, event.link_id, 24),
      cell(dimension, value, "", 1),
      cell(dimension, value, "", 24),
    );
  }
  return cells;
}

/** Merges cells with the same key, summing their counts; returned in key order. */
export function mergeCells(cells: Iterable<RollupRow>): RollupRow[] {
  const merged = new Map<string, RollupRow>();
  for (const cell of cells) {
    const key = cellKey(cell);
    const entry = merged.get(key);
    if (entry === undefined) merged.set(key, { ...cell });
    else {
      entry.clicks += cell.clicks;
      entry.leads += cell.leads;
      entry.sales += cell.sales;
      entry.sale_amount += cell.sale_amount;
    }
  }
  return [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

const CHUNK = 500;

export async function applyRollups(
  trx: Transaction<Database>,
  events: readonly RollupEvent[],
  sign: 1 | -1,
): Promise<void> {
  const rows = mergeCells(events.flatMap((event) => rollupCells(event, sign)));
  for (let i = 0; i < rows.length; i += CHUNK) {
    await trx
      .insertInto("rollups")
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) =>
        oc.columns(["workspace_id", "dimension", "hours", "link_id", "period", "value"]).doUpdateSet({
          clicks: sql<number>`rollups.clicks + excluded.clicks`,
          leads: sql<number>`rollups.leads + excluded.leads`,
          sales: sql<number>`rollups.sales + excluded.sales`,
          sale_amount: sql<number>`rollups.sale_amount + excluded.sale_amount`,
        }),
      )
      .execute();
  }
}

// The primary key's column order, so that sorting by it is the index order (one lock order on PostgreSQL).
const cellKey = (row: RollupRow) =>
  [
    row.workspace_id,
    row.dimension,
    String(row.hours).padStart(2, "0"),
    row.link_id,
    String(row.period).padStart(15, "0"),
    row.value,
  ].join("\u0000");

const mod = (a: number, b: number) => ((a % b) + b) % b;

function pick(row: EventColumns): EventColumns {
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
  };
}
