/** One RFC 4180 record, CRLF-terminated: a field is quoted when it holds a quote, comma, CR or LF. */
export function csvRecord(fields: readonly string[]): string {
  return `${fields.map((field) => (/[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field)).join(",")}\r\n`;
}

/**
 * A spreadsheet runs a cell that starts with one of these as a formula; an export writes such a text cell with a
 * leading `'` (shown by spreadsheets, not run), which an import takes off again.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A value as a CSV field: null is empty, objects are JSON, formula-like text is guarded. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return typeof value === "string" && FORMULA_START.test(value) ? `'${value}` : String(value);
}

/** A cell as written: the `'` an export puts before a formula-like text taken off. */
export const unguardedField = (cell: string) =>
  cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;

/** A CSV text that cannot be read: a quoted field never closed. */
export class CsvSyntaxError extends Error {}

/**
 * Reads CSV as RFC 4180 writes it and as spreadsheets save it: a leading byte-order mark is dropped; records end
 * with CRLF, LF or CR, the last one maybe with nothing; a quoted field may hold commas, quotes (doubled) and line
 * breaks. Blank lines are skipped. Returns each record with the number of the line it starts on.
 */
export function parseCsv(text: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let startLine = 1;
  let started = false;
  const end = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0] !== "") records.push({ line: startLine, fields });
    fields = [];
    field = "";
    started = false;
  };
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (!started) {
      started = true;
      startLine = line;
    }
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === "\n" || (c === "\r" && body[i + 1] !== "\n")) line++;
        field += c;
      }
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      fields.push(field);
      field = "";
    } else if (c === "\r" || c === "\n") {
      if (c === "\r" && body[i + 1] === "\n") i++;
      end();
      line++;
    } else field += c;
  }
  if (quoted)
    throw new CsvSyntaxError(`the record on line ${startLine} has a quoted field that is never closed`);
  if (started) end();
  return records;
}
