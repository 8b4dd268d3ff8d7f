import type { Migration } from "kysely";
import * as initial from "./0001_initial.js";
import * as conversions from "./0002_conversions.js";
import * as webhooks from "./0003_webhooks.js";
import * as rollups from "./0004_rollups.js";
import * as domains from "./0005_domains.js";

/**
 * The SQLite history from before migrations were shared (ADR 15), closed: installed databases record these names in
 * kysely_migration, so none is renamed, renumbered or edited, and nothing is added here.
 */
export const legacySqliteMigrations: Record<string, Migration> = {
  "0001_initial": initial,
  "0002_conversions": conversions,
  "0003_webhooks": webhooks,
  "0004_rollups": rollups,
  "0005_domains": domains,
};
