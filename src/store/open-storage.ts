import type { Kysely } from "kysely";
import type { Config } from "../config.js";
import type { AccountStore } from "../domain/accounts/ports.js";
import type { AnalyticsStore } from "../domain/analytics/ports.js";
import type { ClickStore } from "../domain/clicks/ports.js";
import type { ConversionStore, FxRateStore } from "../domain/conversions/ports.js";
import type { CustomerStore } from "../domain/customers/ports.js";
import type { DomainStore } from "../domain/domains/ports.js";
import type { EventStore } from "../domain/events/ports.js";
import type { FolderStore } from "../domain/folders/ports.js";
import type { IntegrationStore, RefundStore } from "../domain/integrations/ports.js";
import type { LinkStore } from "../domain/links/ports.js";
import type { SettingsStore } from "../domain/settings.js";
import type { TagStore } from "../domain/tags/ports.js";
import type { WebhookStore } from "../domain/webhooks/ports.js";
import type { WorkspaceStore } from "../domain/workspaces/ports.js";
import {
  assertSchemaCurrent,
  migrateToLatest,
  postgresMigrations,
  sqliteMigrations,
} from "./migrations/index.js";
import { SqlAccountStore } from "./sql/account-store.js";
import { SqlAnalyticsStore } from "./sql/analytics-store.js";
import { SqlClickStore } from "./sql/click-store.js";
import { SqlConversionStore } from "./sql/conversion-store.js";
import { SqlCustomerStore } from "./sql/customer-store.js";
import { SqlDomainStore } from "./sql/domain-store.js";
import type { ColumnScanner } from "./sql/event-column-scan.js";
import { EventColumns } from "./sql/event-columns.js";
import { SqlEventStore } from "./sql/event-store.js";
import { SqlFolderStore } from "./sql/folder-store.js";
import { SqlFxRateStore } from "./sql/fx-rate-store.js";
import { SqlIntegrationStore } from "./sql/integration-store.js";
import { SqlLinkStore } from "./sql/link-store.js";
import type { SqlDialect } from "./sql/metadata-conditions.js";
import { MonthRollups } from "./sql/month-rollups.js";
import { SqlRefundStore } from "./sql/refund-store.js";
import type { Database } from "./sql/schema.js";
import { SqlSettingsStore } from "./sql/settings-store.js";
import { SqlTagStore } from "./sql/tag-store.js";
import { SqlWebhookStore } from "./sql/webhook-store.js";
import { SqlWorkspaceStore } from "./sql/workspace-store.js";
import { openSqliteStore } from "./sqlite/database.js";
import { databaseFile, sqliteDataDir } from "./sqlite/files.js";
import type { CommitUsage } from "./sqlite/group-commit-driver.js";
import { asDamaged, assertIntact } from "./sqlite/integrity.js";

export type Stores = {
  workspaces: WorkspaceStore;
  links: LinkStore;
  domains: DomainStore;
  tags: TagStore;
  folders: FolderStore;
  clicks: ClickStore;
  customers: CustomerStore;
  conversions: ConversionStore;
  events: EventStore;
  fxRates: FxRateStore;
  settings: SettingsStore;
  webhooks: WebhookStore;
  analytics: AnalyticsStore;
  accounts: AccountStore;
  integrations: IntegrationStore;
  refunds: RefundStore;
};

export type Storage = {
  kind: "sqlite" | "postgres";
  db: Kysely<Database>;
  stores: Stores;
  appliedMigrations: string[];
  /** PostgreSQL connection pool usage, for metrics. */
  poolUsage(): { total: number; idle: number; waiting: number } | null;
  /** SQLite's group commit: transactions committed and the commits that carried them, for metrics. */
  commitUsage(): CommitUsage | null;
  /** Upkeep the engine needs while it serves (PostgreSQL's partitions); safe to run from every process. */
  upkeep: PeriodicJob[];
};

export type PeriodicJob = { name: string; everyMs: number; run(): Promise<unknown> };

/**
 * Picks the storage adapter once, from configuration. The embedded SQLite store migrates itself; a shared
 * PostgreSQL database is migrated explicitly (`clicktrail migrate`, or `migrate: true`) and otherwise only
 * checked, so that servers of two versions never fight over one schema. The SQLite file is checked for damage
 * first (`SQLITE_INTEGRITY_CHECK`), unless `checkIntegrity` is false because another process just did.
 */
export async function openStorage(
  config: Config,
  { migrate = false, checkIntegrity = true } = {},
): Promise<Storage> {
  if (config.databaseUrl?.startsWith("postgres")) {
    // Loaded only here: an install on SQLite never loads the PostgreSQL driver.
    const [{ openPostgres }, { ensurePartitions }] = await Promise.all([
      import("./postgres/database.js"),
      import("./postgres/partitions.js"),
    ]);
    const { db, pool, scanner } = openPostgres({
      url: config.databaseUrl,
      poolSize: config.databasePoolSize,
      analyticsThreads: config.analyticsThreads,
    });
    try {
      const appliedMigrations = migrate ? await migrateToLatest(db, postgresMigrations) : [];
      await assertSchemaCurrent(db, postgresMigrations);
      await ensurePartitions(db);
      return {
        kind: "postgres",
        db,
        appliedMigrations,
        stores: sqlStores(db, "postgres", scanner),
        poolUsage: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
        commitUsage: () => null,
        upkeep: [
          { name: "partition maintenance", everyMs: PARTITION_INTERVAL_MS, run: () => ensurePartitions(db) },
          eventColumnsUpkeep(db),
          monthRollupsUpkeep(db),
        ],
      };
    } catch (error) {
      await db.destroy();
      throw error;
    }
  }
  const dataDir = sqliteDataDir(config);
  if (checkIntegrity) assertIntact(databaseFile(dataDir), config.sqliteIntegrityCheck);
  let opened: Kysely<Database> | undefined;
  try {
    const { db, commitUsage, scanner } = openSqliteStore({
      dataDir,
      synchronous: config.sqliteSynchronous,
      analyticsThreads: config.analyticsThreads,
    });
    opened = db;
    return {
      kind: "sqlite",
      db,
      appliedMigrations: await migrateToLatest(db, sqliteMigrations),
      stores: sqlStores(db, "sqlite", scanner),
      poolUsage: () => null,
      commitUsage,
      upkeep: [eventColumnsUpkeep(db), monthRollupsUpkeep(db)],
    };
  } catch (error) {
    await opened?.destroy().catch(() => {});
    // Damage the check did not look for (or SQLITE_INTEGRITY_CHECK=off) still ends with the same message.
    throw asDamaged(databaseFile(dataDir), error) ?? error;
  }
}

function sqlStores(db: Kysely<Database>, dialect: SqlDialect, scanner: ColumnScanner | null = null): Stores {
  return {
    workspaces: new SqlWorkspaceStore(db),
    links: new SqlLinkStore(db),
    domains: new SqlDomainStore(db),
    tags: new SqlTagStore(db),
    folders: new SqlFolderStore(db),
    clicks: new SqlClickStore(db),
    customers: new SqlCustomerStore(db),
    conversions: new SqlConversionStore(db),
    events: new SqlEventStore(db, dialect),
    fxRates: new SqlFxRateStore(db),
    settings: new SqlSettingsStore(db),
    webhooks: new SqlWebhookStore(db),
    analytics: new SqlAnalyticsStore(db, dialect, scanner),
    accounts: new SqlAccountStore(db, dialect),
    integrations: new SqlIntegrationStore(db),
    refunds: new SqlRefundStore(db),
  };
}

const PARTITION_INTERVAL_MS = 6 * 60 * 60 * 1000;

/** A few days' event columns at a time (ADR 26), so that building them never holds the event loop for long. */
const eventColumnsUpkeep = (db: Kysely<Database>): PeriodicJob => {
  const columns = new EventColumns(db);
  return { name: "event columns", everyMs: 15_000, run: () => columns.buildDue(Date.now(), 2) };
};

/** A closed month's rollups at a time (ADR 37), a few links per transaction. */
const monthRollupsUpkeep = (db: Kysely<Database>): PeriodicJob => {
  const months = new MonthRollups(db);
  return { name: "month rollups", everyMs: 15_000, run: () => months.buildDue(Date.now(), 1) };
};
