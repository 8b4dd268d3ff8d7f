const count = new Intl.NumberFormat(undefined);
const compact = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });
const usd = new Intl.NumberFormat(undefined, { style: "currency", currency: "USD" });

/** A count as people read it: exact up to 99,999, compact above (the exact value goes in a title). */
export const formatCount = (value: number) => (value < 100_000 ? count.format(value) : compact.format(value));
export const exactCount = (value: number) => count.format(value);

/** Dub's amounts are USD cents. */
export const formatCents = (cents: number) => usd.format(cents / 100);

const date = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
export const formatDate = (iso: string) => date.format(new Date(iso));
export const formatDateTime = (iso: string) => dateTime.format(new Date(iso));
