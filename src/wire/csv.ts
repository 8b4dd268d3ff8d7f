/** One RFC 4180 record, CRLF-terminated: a field is quoted when it holds a quote, comma, CR or LF. */
export function csvRecord(fields: readonly string[]): string {
  return `${fields.map((field) => (/[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field)).join(",")}\r\n`;
}

/** A value as a CSV field: null is empty, objects are JSON. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
