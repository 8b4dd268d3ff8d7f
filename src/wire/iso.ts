/** An instant (epoch milliseconds) as the API writes it: ISO 8601 in UTC with milliseconds; null stays null. */
export function iso(epochMs: number): string;
export function iso(epochMs: number | null): string | null;
export function iso(epochMs: number | null): string | null {
  return epochMs === null ? null : new Date(epochMs).toISOString();
}
