import type { Migration } from "kysely";
import * as initial from "./0001_initial.js";
import * as webhooks from "./0002_webhooks.js";
import * as rollups from "./0003_rollups.js";
import * as domains from "./0004_domains.js";

/** Numbered, append-only: a released migration is never edited, a change is a new number. */
export const postgresMigrations: Record<string, Migration> = {
  "0001_initial": initial,
  "0002_webhooks": webhooks,
  "0003_rollups": rollups,
  "0004_domains": domains,
};
