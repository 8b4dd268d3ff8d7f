import { type Compilable, CompiledQuery, type Insertable, type QueryResult, type Transaction } from "kysely";
import type { Database } from "./schema.js";

/** What of a Kysely instance or transaction the statements need. */
type Executor = {
  getExecutor(): { readonly adapter: object };
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
};

/** Per dialect (its adapter), the SQL text of each statement shape: a name, the columns and a number of rows. */
const texts = new WeakMap<object, Map<string, string>>();

/**
 * Runs a statement whose parameters are the rows' values, row after row, column after column (a multi-row INSERT,
 * with or without ON CONFLICT and RETURNING). Its SQL depends only on the columns and the number of rows, so Kysely
 * builds and compiles it once per shape and dialect and the next batch of that shape reuses the text. Building a
 * 46-row insert of clicks cost more CPU than SQLite took to run it (ADR 31).
 */
export async function executeRows<T extends object, R>(
  db: Executor,
  name: string,
  rows: readonly T[],
  build: (rows: readonly T[]) => Compilable<R>,
): Promise<QueryResult<R>> {
  const columns = Object.keys(rows[0] ?? {}) as (keyof T)[];
  const parameters: unknown[] = [];
  for (const row of rows) {
    // Rows of other columns, or a value left undefined (its column's default, which Kysely leaves out), are
    // built as they are.
    if (Object.keys(row).length !== columns.length) return db.executeQuery(build(rows).compile());
    for (const column of columns) parameters.push(row[column]);
  }
  if (parameters.includes(undefined)) return db.executeQuery(build(rows).compile());
  const adapter = db.getExecutor().adapter;
  let shapes = texts.get(adapter);
  if (!shapes) {
    shapes = new Map();
    texts.set(adapter, shapes);
  }
  const shape = `${name}:${rows.length}:${columns.join(",")}`;
  const text = shapes.get(shape);
  if (text !== undefined) return db.executeQuery(CompiledQuery.raw(text, parameters) as CompiledQuery<R>);
  const compiled = build(rows).compile();
  // Only a statement that takes the values exactly as given, in that order, can be run again with others.
  if (sameValues(compiled.parameters, parameters)) shapes.set(shape, compiled.sql);
  return db.executeQuery(compiled);
}

const sameValues = (a: readonly unknown[], b: readonly unknown[]) =>
  a.length === b.length && a.every((value, index) => value === b[index]);

/** Plain inserts of `rows` into `table`, `chunk` rows a statement, each statement's text compiled once per shape. */
export async function insertRows<T extends keyof Database & string>(
  trx: Transaction<Database>,
  table: T,
  rows: readonly Insertable<Database[T]>[],
  chunk = 200,
): Promise<void> {
  for (let i = 0; i < rows.length; i += chunk)
    await executeRows(trx, table, rows.slice(i, i + chunk), (part) =>
      trx.insertInto(table).values(part as Insertable<Database[T]>[]),
    );
}
