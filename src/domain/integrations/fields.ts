/** Reading a processor's JSON defensively: a field of the wrong type is absent, never an exception. */
export type Json = Record<string, unknown>;

export const object = (value: unknown): Json =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {};

export const str = (value: unknown): string | null =>
  typeof value === "string" && value !== "" ? value : null;

export const num = (value: unknown): number | null =>
  typeof value === "number" && Number.isFinite(value) ? value : null;

/** An id field that may be expanded into its object (`"cus_…"` or `{id:"cus_…",…}`). */
export const idOf = (value: unknown): string | null => str(value) ?? str(object(value).id);
