/**
 * Dub's `query` filter on conversion metadata: `metadata['productId']:'pro'`, conditions joined by AND or by OR
 * (not both). A key path is one or more `['key']` (or `["key"]`) steps; a value is quoted (`'…'` or `"…"`, a
 * backslash escaping the next character) or bare (up to the next ` AND `/` OR ` or the end).
 */
export const METADATA_OPERATORS = ["eq", "ne", "gt", "lt", "gte", "lte"] as const;
export type MetadataOperator = (typeof METADATA_OPERATORS)[number];

export type MetadataCondition = { path: string[]; operator: MetadataOperator; value: string };

export type MetadataQuery = { join: "and" | "or"; conditions: MetadataCondition[] };

export const MAX_METADATA_CONDITIONS = 10;

/** A key step: what Dub allows in a metadata key. */
const KEY = /^[A-Za-z0-9_]+$/;

const OPERATORS: [string, MetadataOperator][] = [
  ["!=", "ne"],
  [">=", "gte"],
  ["<=", "lte"],
  [":", "eq"],
  ["=", "eq"],
  [">", "gt"],
  ["<", "lt"],
];

const NUMBER = /^-?\d+(\.\d+)?$/;

export type ParsedMetadataQuery = { query: MetadataQuery } | { error: string };

/** The query, or why it is refused; blank text is no filter at all. */
export function parseMetadataQuery(text: string): ParsedMetadataQuery | null {
  if (text.trim() === "") return null;
  try {
    return { query: new Parser(text).query() };
  } catch (error) {
    if (error instanceof QueryError) return { error: error.message };
    throw error;
  }
}

class QueryError extends Error {}

class Parser {
  private at = 0;

  constructor(private readonly text: string) {}

  query(): MetadataQuery {
    const conditions = [this.condition()];
    let join: MetadataQuery["join"] | null = null;
    this.skipSpaces();
    while (this.at < this.text.length) {
      const word = this.joiner();
      if (join !== null && word !== join)
        throw new QueryError("Query must use either AND or OR exclusively. Mixed logic is not allowed.");
      join = word;
      conditions.push(this.condition());
      this.skipSpaces();
    }
    if (conditions.length > MAX_METADATA_CONDITIONS)
      throw new QueryError(`Maximum number of filters exceeded. (Max: ${MAX_METADATA_CONDITIONS})`);
    return { join: join ?? "and", conditions };
  }

  private condition(): MetadataCondition {
    this.skipSpaces();
    if (!this.text.startsWith("metadata[", this.at)) {
      const field = /^[^\s:=!<>[]*/.exec(this.text.slice(this.at))?.[0] ?? "";
      throw new QueryError(
        field === "" || field === "metadata"
          ? `Invalid query at position ${this.at + 1}: expected metadata['key'].`
          : `Field ${field} is an unsupported search field.`,
      );
    }
    this.at += "metadata".length;
    const path: string[] = [];
    while (this.text[this.at] === "[") {
      this.at += 1;
      const key = this.quoted(`Invalid query at position ${this.at + 1}: a metadata key is quoted.`);
      if (!KEY.test(key))
        throw new QueryError(
          `Invalid metadata key "${key}": only letters, digits and underscores are allowed.`,
        );
      if (this.text[this.at] !== "]")
        throw new QueryError(`Invalid query at position ${this.at + 1}: expected ].`);
      this.at += 1;
      path.push(key);
    }
    this.skipSpaces();
    const operator = OPERATORS.find(([symbol]) => this.text.startsWith(symbol, this.at));
    if (!operator)
      throw new QueryError(
        `Invalid query at position ${this.at + 1}: expected an operator (:, =, !=, >, <, >=, <=).`,
      );
    this.at += operator[0].length;
    this.skipSpaces();
    const value = this.value();
    if (value === "") throw new QueryError(`Invalid query: metadata['${path.join("']['")}'] has no value.`);
    if (operator[1] !== "eq" && operator[1] !== "ne" && !NUMBER.test(value))
      throw new QueryError(`Invalid query: ${operator[0]} compares numbers, not "${value}".`);
    return { path, operator: operator[1], value };
  }

  private value(): string {
    const quote = this.text[this.at];
    if (quote === "'" || quote === '"') return this.quoted("");
    const rest = this.text.slice(this.at);
    const end = /\s+(AND|and|OR|or)\s+/.exec(rest)?.index ?? rest.length;
    this.at += end;
    return rest.slice(0, end).trim();
  }

  /** A quoted string starting at the quote; a backslash takes the next character as it is. */
  private quoted(missing: string): string {
    const quote = this.text[this.at];
    if (quote !== "'" && quote !== '"') throw new QueryError(missing);
    let value = "";
    for (let at = this.at + 1; at < this.text.length; at += 1) {
      const char = this.text[at];
      if (char === "\\" && at + 1 < this.text.length) {
        at += 1;
        value += this.text[at];
      } else if (char === quote) {
        this.at = at + 1;
        return value;
      } else value += char;
    }
    throw new QueryError(`Invalid query: the quote at position ${this.at + 1} is never closed.`);
  }

  private joiner(): MetadataQuery["join"] {
    const match = /^\s*(AND|and|OR|or)\s+/.exec(this.text.slice(this.at));
    if (!match || this.at === 0 || !/\s/.test(this.text[this.at - 1] ?? ""))
      throw new QueryError(
        `Invalid query at position ${this.at + 1}: conditions are joined by AND or by OR.`,
      );
    this.at += match[0].length;
    return match[1].toLowerCase() as MetadataQuery["join"];
  }

  private skipSpaces() {
    while (this.at < this.text.length && /\s/.test(this.text[this.at])) this.at += 1;
  }
}
