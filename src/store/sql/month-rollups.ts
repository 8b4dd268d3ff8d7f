/**
 * Month rollups (ADR 37): the day rollups of a closed UTC month summed into one row per (dimension, link, value),
 * so that a range of a year reads about twelve rows per value instead of 365. Derived: built in the background
 * from the day rollups once the month is over, and used only while the workspace's day totals of the month equal
 * those it was built from. A month changed since (an erasure, a refund dated in it) is read from its days until it
 * is built again.
 */
import { type Kysely, sql } from "kysely";
import { DIMENSIONS, HOUR_MS } from "../../domain/analytics/dimensions.js";
import { firstRollupDay } from "./rollups.js";
import type { Database } from "./schema.js";

/** The start of the UTC month holding `epoch`. */
export const monthStart = (epoch: number): number => {
  const date = new Date(epoch);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
};

/** The start of the UTC month after the one starting at `start`. */
export const nextMonth = (start: number): number => {
  const date = new Date(start);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
};

/** The whole UTC months inside [from, to), by their starts. */
export function monthsWithin(from: number, to: number): number[] {
  const months: number[] = [];
  let month = monthStart(from);
  if (month < from) month = nextMonth(month);
  for (; nextMonth(month) <= to; month = nextMonth(month)) months.push(month);
  return months;
}

/** A month is built this long after it ends, when no click in flight can still land in it. */
const GRACE_MS = HOUR_MS;
/** Links per statement of a build, so that none holds the write lock for long. */
const LINKS_PER_STATEMENT = 16;

type Totals = { clicks: number; leads: number; sales: number; sale_amount: number };

const ZERO: Totals = { clicks: 0, leads: 0, sales: 0, sale_amount: 0 };
const sameTotals = (a: Totals, b: Totals) =>
  a.clicks === b.clicks && a.leads === b.leads && a.sales === b.sales && a.sale_amount === b.sale_amount;
const isZero = (totals: Totals) => sameTotals(totals, ZERO);

export class MonthRollups {
  constructor(private readonly db: Kysely<Database>) {}

  /** The whole months in [from, to) whose month rollups are current. */
  async current(workspaceId: string, from: number, to: number): Promise<Set<number>> {
    const months = monthsWithin(from, to);
    if (months.length === 0) return new Set();
    const built = await this.db
      .selectFrom("month_rollup_builds")
      .select(["month", "clicks", "leads", "sales", "sale_amount"])
      .where("workspace_id", "=", workspaceId)
      .where("month", ">=", months[0])
      .where("month", "<=", months[months.length - 1])
      .execute();
    if (built.length === 0) return new Set();
    const starts = built.map((row) => Number(row.month));
    const days = await this.dayTotals(workspaceId, Math.min(...starts), nextMonth(Math.max(...starts)));
    return new Set(
      built
        .filter((row) => sameTotals(asTotals(row), days.get(Number(row.month)) ?? ZERO))
        .map((row) => Number(row.month)),
    );
  }

  /**
   * Builds the month rollups of every closed month of every workspace that has none or stale ones, at most
   * `maxMonths` per call (the oldest first); returns how many it built.
   */
  async buildDue(now: number, maxMonths = 1): Promise<number> {
    const closedBefore = monthStart(now - GRACE_MS);
    const workspaces = await this.db.selectFrom("workspaces").select("id").orderBy("id").execute();
    let built = 0;
    for (const { id } of workspaces) {
      const first = await firstRollupDay(this.db, id);
      if (first === null) continue;
      const from = monthStart(first);
      if (from >= closedBefore) continue;
      const [days, builds] = await Promise.all([
        this.dayTotals(id, from, closedBefore),
        this.db
          .selectFrom("month_rollup_builds")
          .select(["month", "clicks", "leads", "sales", "sale_amount"])
          .where("workspace_id", "=", id)
          .execute(),
      ]);
      const builtFrom = new Map(builds.map((row) => [Number(row.month), asTotals(row)]));
      for (let month = from; month < closedBefore; month = nextMonth(month)) {
        const expected = days.get(month) ?? ZERO;
        const previous = builtFrom.get(month);
        if (previous ? sameTotals(previous, expected) : isZero(expected)) continue;
        if (built >= maxMonths) return built;
        await this.build(id, month, now);
        built += 1;
      }
    }
    return built;
  }

  /**
   * Builds (again) one month's rollups from its day rollups, a few links of one dimension per transaction, and
   * records the day totals read before the first of them: a change made during the build leaves the month stale.
   */
  async build(workspaceId: string, month: number, now = Date.now()): Promise<void> {
    const end = nextMonth(month);
    const totals = (await this.dayTotals(workspaceId, month, end)).get(month) ?? ZERO;
    const links = await this.db
      .selectFrom("rollups")
      .select("link_id")
      .distinct()
      .where("workspace_id", "=", workspaceId)
      .where("dimension", "=", "all")
      .where("hours", "=", 24)
      .where("period", ">=", month)
      .where("period", "<", end)
      .orderBy("link_id")
      .execute();
    const linkIds = links.map((row) => row.link_id);
    for (const dimension of ["all", ...DIMENSIONS])
      for (let i = 0; i < linkIds.length; i += LINKS_PER_STATEMENT) {
        const chunk = linkIds.slice(i, i + LINKS_PER_STATEMENT);
        await this.db.transaction().execute(async (trx) => {
          await trx
            .deleteFrom("month_rollups")
            .where("workspace_id", "=", workspaceId)
            .where("dimension", "=", dimension)
            .where("link_id", "in", chunk)
            .where("period", "=", month)
            .execute();
          await sql`
            insert into month_rollups (workspace_id, dimension, link_id, period, value, clicks, leads, sales, sale_amount)
            select workspace_id, dimension, link_id, ${month}, value, sum(clicks), sum(leads), sum(sales), sum(sale_amount)
            from rollups
            where workspace_id = ${workspaceId} and dimension = ${dimension} and hours = 24
              and link_id in (${sql.join(chunk)}) and period >= ${month} and period < ${end}
            group by workspace_id, dimension, link_id, value
            having sum(clicks) <> 0 or sum(leads) <> 0 or sum(sales) <> 0 or sum(sale_amount) <> 0
            on conflict (workspace_id, dimension, link_id, value, period) do update set
              clicks = excluded.clicks, leads = excluded.leads, sales = excluded.sales,
              sale_amount = excluded.sale_amount`.execute(trx);
        });
      }
    const header = { ...totals, built_at: now };
    await this.db
      .insertInto("month_rollup_builds")
      .values({ workspace_id: workspaceId, month, ...header })
      .onConflict((oc) => oc.columns(["workspace_id", "month"]).doUpdateSet(header))
      .execute();
  }

  /** The workspace's day totals (its `all` day rollups) in [from, to), summed per UTC month. */
  private async dayTotals(workspaceId: string, from: number, to: number): Promise<Map<number, Totals>> {
    const rows = await this.db
      .selectFrom("rollups")
      .select(["period", "clicks", "leads", "sales", "sale_amount"])
      .where("workspace_id", "=", workspaceId)
      .where("dimension", "=", "all")
      .where("hours", "=", 24)
      .where("link_id", "=", "")
      .where("period", ">=", from)
      .where("period", "<", to)
      .execute();
    const months = new Map<number, Totals>();
    for (const row of rows) {
      const month = monthStart(Number(row.period));
      const sum = months.get(month) ?? { ...ZERO };
      const day = asTotals(row);
      sum.clicks += day.clicks;
      sum.leads += day.leads;
      sum.sales += day.sales;
      sum.sale_amount += day.sale_amount;
      months.set(month, sum);
    }
    return months;
  }
}

const asTotals = (row: Totals): Totals => ({
  clicks: Number(row.clicks),
  leads: Number(row.leads),
  sales: Number(row.sales),
  sale_amount: Number(row.sale_amount),
});
