import { type RawBuilder, type SqlBool, sql } from "kysely";

/**
 * `column` is one of `values`, or none of them when `exclude` (an empty column, as a click without UTM
 * parameters has, is none of them); `anyCase` compares lower-cased.
 */
export function valueCondition(
  column: RawBuilder<unknown>,
  { values, exclude, anyCase }: { values: string[]; exclude: boolean; anyCase?: boolean },
): RawBuilder<SqlBool> {
  const compared = anyCase ? sql`lower(${column})` : column;
  const list = sql.join(values.map((value) => sql`${anyCase ? value.toLowerCase() : value}`));
  return exclude
    ? sql<SqlBool>`(${column} is null or ${compared} not in (${list}))`
    : sql<SqlBool>`${compared} in (${list})`;
}
