import fc from "fast-check";

/**
 * Generated JSON is plain values plus these nodes, which stand for what JSON.stringify cannot write (numbers out of
 * range, duplicate keys) or what would make a counterexample unreadable (thousands of levels, megabytes): each
 * prints as a short description and is expanded only when the body is written.
 */
export class Nested {
  constructor(
    readonly depth: number,
    readonly kind: "object" | "array",
    readonly key: string,
    readonly leaf: unknown,
  ) {}
  [fc.toStringMethod]() {
    return `Nested(${this.depth} × ${this.kind}${this.kind === "object" ? ` ${JSON.stringify(this.key)}` : ""}, ${fc.stringify(this.leaf)})`;
  }
}

/** `unit` repeated `count` times, as a string value. */
export class Repeated {
  constructor(
    readonly unit: string,
    readonly count: number,
  ) {}
  get value() {
    return this.unit.repeat(this.count);
  }
  [fc.toStringMethod]() {
    return `Repeated(${JSON.stringify(this.unit)} × ${this.count})`;
  }
}

/** JSON text written verbatim where a value goes: `1e400`, `-0.0`, `123456789012345678901234567890`. */
export class RawJson {
  constructor(readonly text: string) {}
  [fc.toStringMethod]() {
    return `RawJson(${this.text})`;
  }
}

/** An object written with these entries in order, so a key can appear twice. */
export class DuplicateKeys {
  constructor(readonly entries: [string, unknown][]) {}
  [fc.toStringMethod]() {
    return `DuplicateKeys(${fc.stringify(this.entries)})`;
  }
}

/** Writes a generated value as JSON text; lone surrogates are written as `\ud800` escapes, as JSON.stringify does. */
export function jsonText(value: unknown): string {
  if (value instanceof Nested) {
    const inner = jsonText(value.leaf);
    const [open, close] = value.kind === "object" ? [`{${JSON.stringify(value.key)}:`, "}"] : ["[", "]"];
    return open.repeat(value.depth) + inner + close.repeat(value.depth);
  }
  if (value instanceof Repeated) return JSON.stringify(value.value);
  if (value instanceof RawJson) return value.text;
  if (value instanceof DuplicateKeys) {
    return `{${value.entries.map(([key, item]) => `${JSON.stringify(key)}:${jsonText(item)}`).join(",")}}`;
  }
  if (Array.isArray(value)) return `[${value.map((item) => jsonText(item ?? null)).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${jsonText(item)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** The plain string a generated string value stands for (Repeated expanded), or undefined for other values. */
export const plainString = (value: unknown): string | undefined =>
  typeof value === "string" ? value : value instanceof Repeated ? value.value : undefined;
