import { DAY_MS, DIMENSIONS, HOUR_MS } from "../../src/domain/analytics/dimensions.js";
import { dimensionValue, type RollupEvent, type RollupRow } from "../../src/store/sql/rollups.js";

const DIMS = ["all", ...DIMENSIONS] as const;
const METRICS = 4;

type Values = { ids: Map<string, number>; names: string[]; blocks: Float64Array[] };

/**
 * One UTC day's rollup cells, the same as `rollupRows(events)` (the seeder checks it on its
 * first day), summed into dense arrays instead of a Map of string keys, which is what makes seeding ten million
 * clicks quick. A value's block holds, per metric: each link's day, the workspace's 24 hours, the workspace's day.
 */
export class DayRollups {
  private readonly links = new Map<string, number>();
  private readonly linkIds: string[] = [];
  private readonly values: Values[] = DIMS.map(() => ({ ids: new Map(), names: [], blocks: [] }));
  /** Per link and hour, the `all` cells: the one per-link hourly rollup. */
  private readonly linkHours: Float64Array;
  private workspaceId = "";

  constructor(
    private readonly dayStart: number,
    private readonly maxLinks: number,
  ) {
    this.linkHours = new Float64Array(maxLinks * 24 * METRICS);
  }

  add(event: RollupEvent): void {
    this.workspaceId = event.workspace_id;
    let link = this.links.get(event.link_id);
    if (link === undefined) {
      link = this.linkIds.length;
      if (link >= this.maxLinks) throw new Error(`more than ${this.maxLinks} links`);
      this.links.set(event.link_id, link);
      this.linkIds.push(event.link_id);
    }
    const hour = Math.floor((event.timestamp - this.dayStart) / HOUR_MS);
    bump(this.linkHours, (link * 24 + hour) * METRICS, event);
    const ws = this.maxLinks * METRICS;
    for (let dim = 0; dim < DIMS.length; dim++) {
      const dimension = DIMS[dim];
      const value = dimension === "all" ? "" : dimensionValue(event, dimension);
      if (value === null) continue;
      const block = this.block(this.values[dim], value);
      bump(block, link * METRICS, event);
      bump(block, ws + hour * METRICS, event);
      bump(block, ws + 24 * METRICS, event);
    }
  }

  /** The cells with any count, unordered. */
  rows(): RollupRow[] {
    const rows: RollupRow[] = [];
    const day = this.dayStart - (this.dayStart % DAY_MS);
    const cell = (
      dimension: string,
      hours: number,
      linkId: string,
      period: number,
      value: string,
      counts: Float64Array,
      at: number,
    ) => {
      if (counts[at] === 0 && counts[at + 1] === 0 && counts[at + 2] === 0 && counts[at + 3] === 0) return;
      rows.push({
        workspace_id: this.workspaceId,
        dimension,
        hours,
        link_id: linkId,
        period,
        value,
        clicks: counts[at],
        leads: counts[at + 1],
        sales: counts[at + 2],
        sale_amount: counts[at + 3],
      });
    };
    for (let link = 0; link < this.linkIds.length; link++)
      for (let hour = 0; hour < 24; hour++)
        cell(
          "all",
          1,
          this.linkIds[link],
          day + hour * HOUR_MS,
          "",
          this.linkHours,
          (link * 24 + hour) * METRICS,
        );
    const ws = this.maxLinks * METRICS;
    DIMS.forEach((dimension, dim) => {
      const { names, blocks } = this.values[dim];
      names.forEach((value, id) => {
        const block = blocks[id];
        for (let link = 0; link < this.linkIds.length; link++)
          cell(dimension, 24, this.linkIds[link], day, value, block, link * METRICS);
        for (let hour = 0; hour < 24; hour++)
          cell(dimension, 1, "", day + hour * HOUR_MS, value, block, ws + hour * METRICS);
        cell(dimension, 24, "", day, value, block, ws + 24 * METRICS);
      });
    });
    return rows;
  }

  private block(values: Values, value: string): Float64Array {
    let id = values.ids.get(value);
    if (id === undefined) {
      id = values.names.length;
      values.ids.set(value, id);
      values.names.push(value);
      values.blocks.push(new Float64Array((this.maxLinks + 25) * METRICS));
    }
    return values.blocks[id];
  }
}

function bump(counts: Float64Array, at: number, event: RollupEvent): void {
  counts[at] += event.clicks;
  counts[at + 1] += event.leads;
  counts[at + 2] += event.sales;
  counts[at + 3] += event.sale_amount;
}
