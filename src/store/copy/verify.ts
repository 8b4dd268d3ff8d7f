import { createHash } from "node:crypto";
import { thousands } from "../thousands.js";
import { type PostgresTarget, scopeOf } from "./postgres-target.js";
import type { SqliteSource } from "./sqlite-source.js";
import { SUMS, type TableSpec } from "./tables.js";

/** One compared figure: a table's row count, a column's total, or the visitor-hash secret (as a digest). */
export type Check = { name: string; copied: number | null; source: number | string; target: number | string };

const digest = (value: string | undefined) =>
  value === undefined ? "(none)" : createHash("sha256").update(value).digest("hex").slice(0, 12);

/**
 * Compares the source snapshot with the target: row counts per table, the totals of the counters, and the
 * visitor-hash secret. When the target also holds other workspaces (`--force`), only the source's
 * workspaces (and, for global tables, the source's keys) are counted on the target.
 */
export async function verify(
  source: SqliteSource,
  target: PostgresTarget,
  tables: TableSpec[],
  options: { copied: Map<string, number>; onlySourceRows: boolean },
): Promise<Check[]> {
  const workspaceIds = source.workspaceIds();
  const scope = (table: string) => {
    const spec = tables.find((candidate) => candidate.name === table);
    return options.onlySourceRows && spec ? scopeOf(spec, workspaceIds, () => source.keys(spec)) : null;
  };
  const checks: Check[] = [];
  for (const spec of tables) {
    checks.push({
      name: spec.name,
      copied: options.copied.get(spec.name) ?? 0,
      source: source.count(spec.name),
      target: await target.count(spec.name, scope(spec.name)),
    });
  }
  for (const { table, column } of SUMS) {
    checks.push({
      name: `sum(${table}.${column})`,
      copied: null,
      source: source.sum(table, column),
      target: await target.sum(table, column, scope(table)),
    });
  }
  checks.push({
    name: "visitor_hash_secret",
    copied: null,
    source: digest(source.setting("visitor_hash_secret")),
    target: digest(await target.setting("visitor_hash_secret")),
  });
  return checks;
}

/** What to do about a difference, for the person running the copy. */
export const MISMATCH_ADVICE =
  "If the source was written to meanwhile, stop its servers and run copy again. If rows were removed from the " +
  "target, delete this source's rows from clicktrail_copy_progress and run copy again: it then reads every " +
  "row again and adds only the missing ones.";

export const mismatches = (checks: Check[]) => checks.filter((check) => check.source !== check.target);

/** A figure as printed: thousands separated. */
export const cell = (value: number | string | null) =>
  value === null ? "" : typeof value === "number" ? thousands(value) : value;

/** The comparison as a table: name, rows written by this run, source, target, and DIFFERS where they do. */
export function formatChecks(checks: Check[]): string {
  const header = ["table", "copied now", "source", "target", ""];
  const rows = checks.map((check) => [
    check.name,
    cell(check.copied),
    cell(check.source),
    cell(check.target),
    check.source === check.target ? "ok" : "DIFFERS",
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  const line = (values: string[]) =>
    values
      .map((value, i) => (i === 0 || i === 4 ? value.padEnd(widths[i]) : value.padStart(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}
