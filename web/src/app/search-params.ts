/** Readers for a page's URL search parameters (TanStack Router hands them over parsed, as JSON where they look it). */

/** A non-empty string parameter (a number-looking one as written), else undefined. */
export const textParam = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : typeof value === "number" ? String(value) : undefined;

/** A page number above 1, else undefined (page 1 is the default and stays out of the URL). */
export function pageParam(value: unknown): number | undefined {
  const page = Number(value);
  return Number.isInteger(page) && page > 1 ? page : undefined;
}

/** One of `allowed` other than the default (the first), else undefined. */
export function oneOfParam<T extends string>(allowed: readonly T[], value: unknown): T | undefined {
  const text = textParam(value);
  return text !== allowed[0] && allowed.includes(text as T) ? (text as T) : undefined;
}
