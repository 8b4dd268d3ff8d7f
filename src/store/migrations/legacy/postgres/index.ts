import type { Migration } from "kysely";
import * as initial from "./0001_initial.js";
import * as webhooks from "./0002_webhooks.js";
import * as rollups from "./0003_rollups.js";
import * as domains from "./0004_domains.js";

/**
 * The PostgreSQL history from before migrations were shared (ADR 15), closed: installed databases record these names in
 * kysely_migration, so none is renamed, renumbered or edited, and nothing is added here.
 */
export const legacyPostgresMigrations: Record<string, Migration> = {
  "0001_initial": initial,
  "0002_webhooks": webhooks,
  "0003_rollups": rollups,
  "0004_domains": domains,
};
