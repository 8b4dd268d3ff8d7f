const DAY_MS = 86_400_000;

/**
 * Dub's `billingCycleStart`: the day of the month a workspace's monthly cycle begins on. Clicktrail bills nothing;
 * its cycle is the workspace's creation day (UTC), as Dub sets it for a new workspace, so that usage "in the
 * current cycle" means something definite.
 */
export const cycleDay = (createdAt: number): number => new Date(createdAt).getUTCDate();

/** The start (UTC midnight) of the cycle running at `now`: the last `day` of a month reached, or a short month's end. */
export function cycleStart(day: number, now: number): number {
  const today = new Date(Math.floor(now / DAY_MS) * DAY_MS);
  const start = (year: number, month: number) => {
    const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    return Date.UTC(year, month, Math.min(day, lastDay));
  };
  const thisMonth = start(today.getUTCFullYear(), today.getUTCMonth());
  return thisMonth <= today.getTime() ? thisMonth : start(today.getUTCFullYear(), today.getUTCMonth() - 1);
}
