import { planOf } from "../../src/domain/analytics/plan.js";
import type { TallyQuery } from "../../src/domain/analytics/ports.js";
import { segmentsOf } from "../../src/domain/analytics/segments.js";
import type { EventFilter } from "../../src/domain/events/model.js";

/** The store query for a grouping, a filter and a time range, planned as the analytics service plans it. */
export function tallyQueryOf(
  workspaceId: string,
  key: TallyQuery["key"],
  filter: EventFilter,
  range: { start: number; end: number },
): TallyQuery {
  const plan = planOf(key, filter);
  return {
    workspaceId,
    kinds: ["clicks", "leads", "sales"],
    key,
    links: plan.links,
    filter: plan.filter,
    ...(plan.rollup ? { rollup: plan.rollup } : {}),
    segments: segmentsOf([range], { day: plan.rollup !== null, hour: plan.hourRollups }),
    orderBy: key === "none" ? [] : ["clicks", "leads", "saleAmount"],
    limit: key === "none" ? null : 25,
  };
}
