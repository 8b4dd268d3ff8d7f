import type SQLite from "better-sqlite3";
import { sqliteMigrations } from "../migrations/index.js";
import { thousands } from "../thousands.js";

export type Counts = { links: number; clicks: number; leads: number; sales: number };

export type Contents = {
  /** The last migration applied: the schema version. */
  schema: string | null;
  /** Migrations applied that this version of Clicktrail does not know: the file was written by a newer one. */
  unknownMigrations: string[];
  counts: Counts;
};

const TABLES = { links: "links", clicks: "clicks", leads: "lead_events", sales: "sale_events" } as const;

/** What a Clicktrail database holds; null when the file is a SQLite database but not Clicktrail's. */
export function contentsOf(db: SQLite.Database): Contents | null {
  const tables = new Set(
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[],
  );
  if (!tables.has("kysely_migration") || !tables.has("links")) return null;
  const applied = db.prepare("SELECT name FROM kysely_migration ORDER BY name").pluck().all() as string[];
  const known = new Set(Object.keys(sqliteMigrations));
  const count = (table: string) =>
    tables.has(table) ? (db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number) : 0;
  return {
    schema: applied.at(-1) ?? null,
    unknownMigrations: applied.filter((name) => !known.has(name)),
    counts: {
      links: count(TABLES.links),
      clicks: count(TABLES.clicks),
      leads: count(TABLES.leads),
      sales: count(TABLES.sales),
    },
  };
}

export const formatCounts = (counts: Counts): string =>
  `${thousands(counts.links)} links, ${thousands(counts.clicks)} clicks, ` +
  `${thousands(counts.leads)} leads, ${thousands(counts.sales)} sales`;
