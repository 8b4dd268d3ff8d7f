import { type Kysely, sql } from "kysely";
import type { Logger } from "pino";
import type { Config } from "./config.js";
import { AnalyticsService } from "./domain/analytics/analytics-service.js";
import type { AnalyticsStore } from "./domain/analytics/ports.js";
import { ClickRecorder } from "./domain/clicks/click-recorder.js";
import { ClientClickService } from "./domain/clicks/client-click-service.js";
import type { ClickStore, GeoResolver } from "./domain/clicks/ports.js";
import { RedirectService } from "./domain/clicks/redirect-service.js";
import { ClickAttribution } from "./domain/conversions/attribution.js";
import { CurrencyConverter } from "./domain/conversions/currency.js";
import { FxRateBook } from "./domain/conversions/fx-rate-book.js";
import { LeadService } from "./domain/conversions/lead-service.js";
import type { ConversionStore, FxRateStore } from "./domain/conversions/ports.js";
import { SaleService } from "./domain/conversions/sale-service.js";
import { CustomerService } from "./domain/customers/customer-service.js";
import type { CustomerStore } from "./domain/customers/ports.js";
import { EventService } from "./domain/events/event-service.js";
import type { EventStore } from "./domain/events/ports.js";
import { LinkService } from "./domain/links/link-service.js";
import { MemoryLinkCache } from "./domain/links/memory-link-cache.js";
import type { DomainStore, LinkCache, LinkStore } from "./domain/links/ports.js";
import type { SettingsStore } from "./domain/settings.js";
import { DeliveryWorker } from "./domain/webhooks/delivery-worker.js";
import { WebhookEvents } from "./domain/webhooks/events.js";
import type { WebhookStore } from "./domain/webhooks/ports.js";
import { WebhookService } from "./domain/webhooks/webhook-service.js";
import type { RateLimiter, WorkspaceStore } from "./domain/workspaces/ports.js";
import { WorkspaceService } from "./domain/workspaces/workspace-service.js";
import { systemClock } from "./infra/clock.js";
import { isClusterWorker } from "./infra/cluster-channel.js";
import { ClusterLinkCache } from "./infra/cluster-link-cache.js";
import { ClusterRateLimiter } from "./infra/cluster-rate-limiter.js";
import { DatabaseAvailability } from "./infra/database-availability.js";
import { FxRefresher } from "./infra/fx-refresher.js";
import { MmdbGeoResolver } from "./infra/geo.js";
import { MemoryRateLimiter } from "./infra/memory-rate-limiter.js";
import { createMetrics, type Metrics } from "./infra/metrics.js";
import { createRedisClients, type RedisErrorListener } from "./infra/redis.js";
import { RedisLinkCacheBus } from "./infra/redis-link-cache-bus.js";
import { RedisRateLimiter } from "./infra/redis-rate-limiter.js";
import { postWebhook } from "./infra/webhook-sender.js";
import {
  assertSchemaCurrent,
  migrateToLatest,
  postgresMigrations,
  sqliteMigrations,
} from "./store/migrations/index.js";
import { openPostgres } from "./store/postgres/database.js";
import { ensurePartitions } from "./store/postgres/partitions.js";
import { SqlAnalyticsStore } from "./store/sql/analytics-store.js";
import { SqlClickStore } from "./store/sql/click-store.js";
import { SqlConversionStore } from "./store/sql/conversion-store.js";
import { SqlCustomerStore } from "./store/sql/customer-store.js";
import { SqlDomainStore } from "./store/sql/domain-store.js";
import { SqlEventStore } from "./store/sql/event-store.js";
import { SqlFxRateStore } from "./store/sql/fx-rate-store.js";
import { SqlLinkStore } from "./store/sql/link-store.js";
import type { Database } from "./store/sql/schema.js";
import { SqlSettingsStore } from "./store/sql/settings-store.js";
import { SqlWebhookStore } from "./store/sql/webhook-store.js";
import { SqlWorkspaceStore } from "./store/sql/workspace-store.js";
import { openSqlite } from "./store/sqlite/database.js";
import { databaseFile, sqliteDataDir } from "./store/sqlite/files.js";
import { asDamaged, assertIntact } from "./store/sqlite/integrity.js";

export type Stores = {
  workspaces: WorkspaceStore;
  links: LinkStore;
  domains: DomainStore;
  clicks: ClickStore;
  customers: CustomerStore;
  conversions: ConversionStore;
  events: EventStore;
  fxRates: FxRateStore;
  settings: SettingsStore;
  webhooks: WebhookStore;
  analytics: AnalyticsStore;
};

export type Services = {
  workspaces: WorkspaceService;
  links: LinkService;
  redirects: RedirectService;
  clientClicks: ClientClickService;
  clickRecorder: ClickRecorder;
  rateLimiter: RateLimiter;
  leads: LeadService;
  sales: SaleService;
  customers: CustomerService;
  events: EventService;
  analytics: AnalyticsService;
  fxRates: FxRateBook;
  metrics: Metrics;
  webhooks: WebhookService;
  webhookEvents: WebhookEvents;
  delivery: DeliveryWorker;
  /** Whether the database takes writes; told of every failure that says it does not. */
  database: DatabaseAvailability;
  /** Resolves when Redis answers; undefined when no Redis is configured. */
  pingRedis: (() => Promise<void>) | undefined;
  /** Releases the connections the services hold (Redis); the storage is closed by its owner. */
  close(): Promise<void>;
};

export type Storage = {
  kind: "sqlite" | "postgres";
  db: Kysely<Database>;
  stores: Stores;
  appliedMigrations: string[];
  /** Resolves when the database answers a query. */
  ping(): Promise<void>;
  /** PostgreSQL connection pool usage, for metrics. */
  poolUsage(): { total: number; idle: number; waiting: number } | null;
};

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
    const { db, pool } = openPostgres({ url: config.databaseUrl, poolSize: config.databasePoolSize });
    try {
      const appliedMigrations = migrate ? await migrateToLatest(db, postgresMigrations) : [];
      await assertSchemaCurrent(db, postgresMigrations);
      await ensurePartitions(db);
      return {
        kind: "postgres",
        db,
        appliedMigrations,
        stores: sqlStores(db),
        ping: async () => void (await sql`SELECT 1`.execute(db)),
        poolUsage: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
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
    const db = openSqlite({ dataDir, synchronous: config.sqliteSynchronous });
    opened = db;
    return {
      kind: "sqlite",
      db,
      appliedMigrations: await migrateToLatest(db, sqliteMigrations),
      stores: sqlStores(db),
      ping: async () => void (await sql`SELECT 1`.execute(db)),
      poolUsage: () => null,
    };
  } catch (error) {
    await opened?.destroy().catch(() => {});
    // Damage the check did not look for (or SQLITE_INTEGRITY_CHECK=off) still ends with the same message.
    throw asDamaged(databaseFile(dataDir), error) ?? error;
  }
}

function sqlStores(db: Kysely<Database>): Stores {
  return {
    workspaces: new SqlWorkspaceStore(db),
    links: new SqlLinkStore(db),
    domains: new SqlDomainStore(db),
    clicks: new SqlClickStore(db),
    customers: new SqlCustomerStore(db),
    conversions: new SqlConversionStore(db),
    events: new SqlEventStore(db),
    fxRates: new SqlFxRateStore(db),
    settings: new SqlSettingsStore(db),
    webhooks: new SqlWebhookStore(db),
    analytics: new SqlAnalyticsStore(db),
  };
}

export async function createServices(
  config: Config,
  stores: Stores,
  logger: Logger,
  geo?: GeoResolver,
): Promise<Services> {
  const metrics = createMetrics({ clustered: isClusterWorker() });
  const shared = sharedState(config, logger, metrics);
  const database = new DatabaseAvailability(() => stores.settings.writeProbe(Date.now()), logger);
  const webhookEvents = new WebhookEvents(config.shortLinkProtocol);
  const links = new LinkService(
    stores.links,
    stores.domains,
    shared.linkCache,
    systemClock,
    config.shortDomain,
    webhookEvents,
  );
  const clickRecorder = new ClickRecorder(stores.clicks, config.clickDedupeSeconds * 1000, (count) =>
    metrics.clicksRecorded.inc(count),
  );
  const attribution = new ClickAttribution(stores.clicks, stores.links);
  const webhookService = new WebhookService(
    stores.webhooks,
    stores.links,
    systemClock,
    config.webhookAllowPrivate,
  );
  const delivery = new DeliveryWorker(
    stores.webhooks,
    (url, body, headers) =>
      postWebhook(url, body, headers, {
        timeoutMs: config.webhookTimeoutMs,
        allowPrivate: config.webhookAllowPrivate,
      }),
    {
      retry: {
        maxAttempts: config.webhookMaxAttempts,
        baseDelayMs: config.webhookRetryBaseMs,
        maxDelayMs: 12 * 3_600_000,
      },
      pollMs: config.webhookPollMs,
      concurrency: 16,
      leaseMs: config.webhookTimeoutMs * 3,
      disableAfter: config.webhookDisableAfter,
      onDelivery: (outcome) => metrics.webhookDeliveries.inc({ outcome }),
    },
    (error) => {
      if (!database.failedWith(error)) logger.error({ err: error }, "webhook delivery failed");
    },
  );
  const fxRates = new FxRateBook(stores.fxRates);
  await fxRates.refresh();
  const currency = new CurrencyConverter(fxRates, (code) => {
    metrics.unconvertedSales.inc({ currency: code });
    logger.warn(
      { currency: code },
      "no exchange rate to USD: sale recorded in its own currency, unconverted",
    );
  });
  const redirects = new RedirectService(
    links,
    clickRecorder,
    geo ?? (await MmdbGeoResolver.open()),
    systemClock,
    {
      anonymizeIp: config.anonymizeIp,
      visitorSecret: await stores.settings.get("visitor_hash_secret"),
      linkClicked: async (link, click) =>
        (await webhookService.hasSubscribers(link.workspaceId, "link.clicked"))
          ? webhookEvents.linkClicked(link, click)
          : null,
      onWebhookQueued: () => delivery.wake(),
      onClickLost: (error) => {
        metrics.clicksLost.inc();
        if (database.failedWith(error)) return;
        logger.error(
          { err: error },
          "a click could not be stored; the visitor was redirected without a click id",
        );
      },
    },
  );
  await shared.connect();
  return {
    workspaces: new WorkspaceService(stores.workspaces, systemClock),
    links,
    clickRecorder,
    redirects,
    clientClicks: new ClientClickService(links, stores.workspaces, redirects),
    rateLimiter: shared.rateLimiter,
    leads: new LeadService(
      stores.customers,
      stores.conversions,
      attribution,
      webhookEvents,
      systemClock,
      (count) => {
        metrics.conversionsTracked.inc({ type: "lead" }, count);
        delivery.wake();
      },
    ),
    sales: new SaleService({
      customers: stores.customers,
      conversions: stores.conversions,
      links: stores.links,
      attribution,
      currency,
      events: webhookEvents,
      clock: systemClock,
      onTracked: (kind) => {
        metrics.conversionsTracked.inc({ type: kind });
        delivery.wake();
      },
    }),
    customers: new CustomerService(stores.customers, stores.links, systemClock),
    events: new EventService(stores.events, stores.links, stores.customers, systemClock),
    analytics: new AnalyticsService(stores.analytics, stores.links, systemClock),
    fxRates,
    metrics,
    webhooks: webhookService,
    webhookEvents,
    delivery,
    database,
    pingRedis: shared.ping,
    close: async () => shared.close(),
  };
}

type SharedState = {
  linkCache: LinkCache;
  rateLimiter: RateLimiter;
  ping: (() => Promise<void>) | undefined;
  /** Opens the connections, last, so that a failure while the services are built leaves none open. */
  connect(): Promise<void>;
  close(): void;
};

/**
 * What every process must agree on: with Redis, rate limits are counted there and link cache invalidations
 * are broadcast through it; workers of one machine without Redis agree through their primary process; a
 * single process keeps both in memory.
 */
function sharedState(config: Config, logger: Logger, metrics: Metrics): SharedState {
  if (!config.redisUrl && isClusterWorker()) {
    return {
      linkCache: new ClusterLinkCache(new MemoryLinkCache(), () =>
        logger.warn(
          "a link cache invalidation was not acknowledged by every worker in time; they may serve the old link for up to 5 s",
        ),
      ),
      rateLimiter: new ClusterRateLimiter(config.rateLimitPerMinute, () =>
        logger.warn("the primary process did not count a rate limit in time; counted in this worker"),
      ),
      ping: undefined,
      connect: async () => {},
      close: () => {},
    };
  }
  if (!config.redisUrl) {
    return {
      linkCache: new MemoryLinkCache(),
      rateLimiter: new MemoryRateLimiter(config.rateLimitPerMinute),
      ping: undefined,
      connect: async () => {},
      close: () => {},
    };
  }
  const onError: RedisErrorListener = (operation, error) => {
    metrics.redisErrors.inc({ operation });
    // Outages are logged once by the connections; a rate limit counted in memory is expected meanwhile.
    if (operation === "connection" || operation === "rate_limit") return;
    logger.warn(
      { err: error, operation },
      "a link cache invalidation did not reach every process; they may serve the old link for up to 5 s",
    );
  };
  const redis = createRedisClients(config.redisUrl, logger, onError);
  return {
    linkCache: new RedisLinkCacheBus(new MemoryLinkCache(), redis.commands, redis.subscriber, onError),
    rateLimiter: new RedisRateLimiter(config.rateLimitPerMinute, redis.commands, () => onError("rate_limit")),
    ping: redis.ping,
    connect: redis.connect,
    close: redis.close,
  };
}

/** Work that runs beside the requests; returns how to stop it. */
export async function startBackgroundJobs(
  config: Config,
  services: Services,
  storage: Storage,
  logger: Logger,
): Promise<() => Promise<void>> {
  const fx = new FxRefresher(services.fxRates, config, logger);
  await fx.start();
  services.delivery.start();
  const windowMs = config.clickDedupeSeconds * 1000;
  const timers = [
    every(VISITOR_PRUNE_INTERVAL_MS, logger, "visitor pruning", () =>
      storage.stores.clicks.pruneVisitors(Date.now() - windowMs),
    ),
  ];
  if (storage.kind === "postgres") {
    timers.push(
      every(PARTITION_INTERVAL_MS, logger, "partition maintenance", () => ensurePartitions(storage.db)),
    );
  }
  return async () => {
    fx.stop();
    for (const timer of timers) clearInterval(timer);
    await services.delivery.stop();
  };
}

/** A periodic job: safe to run from every process at once, so no leader is needed. */
function every(ms: number, logger: Logger, name: string, job: () => Promise<unknown>): NodeJS.Timeout {
  return setInterval(() => {
    job().catch((error) => logger.warn({ err: error }, `${name} failed`));
  }, ms).unref();
}

const PARTITION_INTERVAL_MS = 6 * 60 * 60 * 1000;
const VISITOR_PRUNE_INTERVAL_MS = 10 * 60 * 1000;
