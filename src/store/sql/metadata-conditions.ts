import { type RawBuilder, type SqlBool, sql } from "kysely";
import type { MetadataCondition, MetadataQuery } from "../../domain/events/metadata-query.js";

export type SqlDialect = "sqlite" | "postgres";

const COMPARISONS = { gt: ">", lt: "<", gte: ">=", lte: "<=" } as const;

/**
 * A metadata query over `e.metadata` (JSON text on both engines). Keys and values are bound parameters; only
 * the comparison symbols, from a closed list, are written into the statement. Equality compares the value's
 * text (a number or boolean by its JSON spelling); the order operators compare numbers only; `!=` also matches
 * an event without the key.
 */
export function metadataCondition(dialect: SqlDialect, query: MetadataQuery): RawBuilder<SqlBool> {
  const parts = query.conditions.map((condition) => sql`(${conditionOf(dialect, condition)})`);
  const joined = sql<SqlBool>`(${sql.join(parts, query.join === "and" ? sql` and ` : sql` or `)})`;
  // Said outright, so that the indexes of conversions with metadata (migration 0114) answer the range.
  return needsMetadata(query) ? sql<SqlBool>`(e.metadata is not null and ${joined})` : joined;
}

/** Whether only an event with metadata can match: every condition but `!=` needs its key. */
const needsMetadata = ({ join, conditions }: MetadataQuery) =>
  join === "and"
    ? conditions.some(({ operator }) => operator !== "ne")
    : conditions.every(({ operator }) => operator !== "ne");

function conditionOf(dialect: SqlDialect, { path, operator, value }: MetadataCondition) {
  const text = dialect === "sqlite" ? sqliteText(path) : postgresText(path);
  if (operator === "eq") return sql`${text} = ${value}`;
  if (operator === "ne") return sql`${text} is null or ${text} <> ${value}`;
  const symbol = sql.raw(COMPARISONS[operator]);
  return sql`${dialect === "sqlite" ? sqliteNumber(path) : postgresNumber(path)} ${symbol} ${Number(value)}`;
}

const sqlitePath = (path: string[]) => `$.${path.map((key) => `"${key}"`).join(".")}`;

/** The value as text, null when absent, JSON null, an object or an array. */
const sqliteText = (path: string[]) => sql`(case json_type(e.metadata, ${sqlitePath(path)})
  when 'true' then 'true' when 'false' then 'false'
  when 'text' then json_extract(e.metadata, ${sqlitePath(path)})
  when 'integer' then cast(json_extract(e.metadata, ${sqlitePath(path)}) as text)
  when 'real' then cast(json_extract(e.metadata, ${sqlitePath(path)}) as text) end)`;

const sqliteNumber = (path: string[]) => sql`(case when json_type(e.metadata, ${sqlitePath(path)})
  in ('integer', 'real') then json_extract(e.metadata, ${sqlitePath(path)}) end)`;

const postgresText = (path: string[]) =>
  sql`(case when jsonb_typeof(cast(e.metadata as jsonb) #> cast(${path} as text[]))
  in ('string', 'number', 'boolean') then cast(e.metadata as jsonb) #>> cast(${path} as text[]) end)`;

const postgresNumber = (path: string[]) =>
  sql`(case when jsonb_typeof(cast(e.metadata as jsonb) #> cast(${path} as text[])) = 'number'
  then cast(cast(e.metadata as jsonb) #>> cast(${path} as text[]) as numeric) end)`;
