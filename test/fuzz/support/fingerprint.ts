import type { TestServer } from "../../helpers/server.js";

/**
 * Written in the background, whatever the requests do: delivery attempts by the webhook worker, the dedupe
 * window's visitors, pruned every ten minutes (clicks themselves are counted in `clicks`), and the event columns
 * built from the events every 15 seconds, the day in progress included (ADR 26), and the month rollups of closed
 * months (ADR 37).
 */
const BACKGROUND_TABLES = new Set([
  "webhook_attempts",
  "click_visitors",
  "event_columns",
  "event_column_days",
  "month_rollups",
  "month_rollup_builds",
]);
/** Rows written by design on requests that change nothing: the readiness probe's (GET /readyz). */
const BACKGROUND_ROWS: Record<string, string> = { settings: "name <> 'readiness_probe'" };
/** Columns whose aggregate moves when a row is changed rather than added: times of change and counters. */
const CHANGE_COLUMNS = /^(updated_at|clicks|leads|sales|sale_amount|conversions|revoked_at|disabled_at)$/;

/**
 * A cheap digest of everything a request could write: each table's row count, the latest change time and the sums of
 * its counters, in one query. Equal digests before and after a rejected request mean it wrote nothing.
 */
export async function fingerprinter(server: TestServer): Promise<() => Promise<string>> {
  const columns =
    server.store === "postgres"
      ? await server.query<{ table_name: string; column_name: string }>(
          "select table_name, column_name from information_schema.columns where table_schema = 'public' order by table_name, ordinal_position",
        )
      : await server.query<{ table_name: string; column_name: string }>(
          "select m.name as table_name, p.name as column_name from sqlite_master m join pragma_table_info(m.name) p where m.type = 'table' and m.name not like 'sqlite_%' order by m.name, p.cid",
        );
  const tables = new Map<string, string[]>();
  for (const { table_name, column_name } of columns) {
    if (BACKGROUND_TABLES.has(table_name)) continue;
    const list = tables.get(table_name) ?? [];
    if (CHANGE_COLUMNS.test(column_name)) list.push(column_name);
    tables.set(table_name, list);
  }
  const quote = (name: string) => `"${name}"`;
  const text = [...tables]
    .map(([table, changing]) => {
      const parts = [
        "count(*)",
        ...changing.map((column) =>
          column.endsWith("_at") ? `max(${quote(column)})` : `sum(${quote(column)})`,
        ),
      ].map((part) => `coalesce(cast(${part} as text), '-')`);
      const where = BACKGROUND_ROWS[table] ? ` where ${BACKGROUND_ROWS[table]}` : "";
      return `select '${table}' as t, ${parts.join(" || ',' || ")} as v from ${quote(table)}${where}`;
    })
    .join(" union all ");
  return async () =>
    (await server.query<{ t: string; v: string }>(text)).map((row) => `${row.t}=${row.v}`).join(" ");
}
