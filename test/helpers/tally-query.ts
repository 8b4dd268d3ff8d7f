import { planOf } from "../../src/domain/analytics/plan.js";
import type { TallyQuery } from "../../src/domain/analytics/ports.js";
import { segmentsOf } from "../../src/domain/analytics/segments.js";
import type { EventFilter } from "../../src/domain/events/model.js";

/**
 * The store query for a grouping, a filter and a time range, planned as the analytics service plans it; with
 * `rollups` false, every segment is read from the events.
 */
export function tallyQueryOf(
  workspaceId: string,
  key: TallyQuery["key"],
  filter: EventFilter,
  range: { start: number; end: number },
  rollups = true,
): TallyQuery {
  const plan = planOf(key, filter);
  const fromRollups = rollups && plan.rollup !== null;
  return {
    workspaceId,
    kinds: ["clicks", "leads", "sales"],
    key,
    links: plan.links,
    filter: plan.filter,
    ...(plan.rollup ? { rollup: plan.rollup } : {}),
    segments: segmentsOf(
      [range],
      fromRollups ? { day: true, hour: plan.hourRollups } : { day: false, hour: false },
    ),
    orderBy: key === "none" ? [] : ["clicks", "leads", "saleAmount"],
    limit: key === "none" ? null : 25,
  };
}
