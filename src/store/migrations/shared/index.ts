import type { SharedMigration } from "../shared-migration.js";
import * as tagsAndFolders from "./0100_tags_and_folders.js";
import * as domainSettings from "./0101_domain_settings.js";
import * as workspaceSlug from "./0102_workspace_slug.js";
import * as smartLinks from "./0103_smart_links.js";
import * as publishableKeys from "./0105_publishable_keys.js";
import * as accounts from "./0106_accounts.js";
import * as linkTagOrder from "./0107_link_tag_order.js";
import * as folderAccessAndLinkUsers from "./0108_folder_access_and_link_users.js";
import * as eventColumns from "./0109_event_columns.js";
import * as paymentIntegrations from "./0110_payment_integrations.js";
import * as customerStripeId from "./0111_customer_stripe_id.js";
import * as eventColumnsUntil from "./0112_event_columns_until.js";
import * as rollupStatistics from "./0113_rollup_statistics.js";
import * as conversionsWithMetadata from "./0114_conversions_with_metadata.js";
import * as monthRollups from "./0115_month_rollups.js";

/**
 * Every schema change from ADR 15 on, for both engines: one module per change, `NNNN_what_it_does.ts` numbered
 * from 0100, exporting `up(db, engine)`, listed here under its file name. Append-only: a released migration is
 * never edited, renamed or removed; what it needs (DDL helpers included) lives in its own file, frozen with it.
 *
 *   import * as linkTags from "./0100_link_tags.js";
 *   export const sharedMigrations: Record<string, SharedMigration> = { "0100_link_tags": linkTags };
 */
export const sharedMigrations: Record<string, SharedMigration> = {
  "0100_tags_and_folders": tagsAndFolders,
  "0101_domain_settings": domainSettings,
  "0102_workspace_slug": workspaceSlug,
  "0103_smart_links": smartLinks,
  "0105_publishable_keys": publishableKeys,
  "0106_accounts": accounts,
  "0107_link_tag_order": linkTagOrder,
  "0108_folder_access_and_link_users": folderAccessAndLinkUsers,
  "0109_event_columns": eventColumns,
  "0110_payment_integrations": paymentIntegrations,
  "0111_customer_stripe_id": customerStripeId,
  "0112_event_columns_until": eventColumnsUntil,
  "0113_rollup_statistics": rollupStatistics,
  "0114_conversions_with_metadata": conversionsWithMetadata,
  "0115_month_rollups": monthRollups,
};
