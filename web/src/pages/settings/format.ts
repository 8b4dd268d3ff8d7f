const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** An ISO instant in the viewer's zone; "—" for none. */
export function formatInstant(iso: string | null | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : "—";
}

/** "Never" for a key not used yet. */
export const formatLastUsed = (iso: string | null) => (iso ? formatInstant(iso) : "Never");
