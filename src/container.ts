import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Config } from "./config.js";
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
import { LinkService } from "./domain/links/link-service.js";
import { MemoryLinkCache } from "./domain/links/memory-link-cache.js";
import type { LinkStore } from "./domain/links/ports.js";
import type { SettingsStore } from "./domain/settings.js";
import type { RateLimiter, WorkspaceStore } from "./domain/workspaces/ports.js";
import { WorkspaceService } from "./domain/workspaces/workspace-service.js";
import { systemClock } from "./infra/clock.js";
import { FxRefresher } from "./infra/fx-refresher.js";
import { MmdbGeoResolver } from "./infra/geo.js";
import { MemoryRateLimiter } from "./infra/memory-rate-limiter.js";
import { createMetrics, type Metrics } from "./infra/metrics.js";
import { SqlClickStore } from "./store/sql/click-store.js";
import { SqlConversionStore } from "./store/sql/conversion-store.js";
import { SqlCustomerStore } from "./store/sql/customer-store.js";
import { SqlFxRateStore } from "./store/sql/fx-rate-store.js";
import { SqlLinkStore } from "./store/sql/link-store.js";
import type { Database } from "./store/sql/schema.js";
import { SqlSettingsStore } from "./store/sql/settings-store.js";
import { SqlWorkspaceStore } from "./store/sql/workspace-store.js";
import { migrate, openSqlite } from "./store/sqlite/database.js";

export type Stores = {
  workspaces: WorkspaceStore;
  links: LinkStore;
  clicks: ClickStore;
  customers: CustomerStore;
  conversions: ConversionStore;
  fxRates: FxRateStore;
  settings: SettingsStore;
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
  fxRates: FxRateBook;
  metrics: Metrics;
};

export type Storage = { db: Kysely<Database>; stores: Stores; appliedMigrations: string[] };

/** Picks the storage adapter once, from configuration, and brings its schema up to date. */
export async function openStorage(config: Config): Promise<Storage> {
  if (config.databaseUrl?.startsWith("postgres")) {
    throw new Error(
      "DATABASE_URL=postgres://… is not supported by this version yet; unset it to use SQLite.",
    );
  }
  const db = openSqlite({
    dataDir: config.databaseUrl?.replace(/^sqlite:/, "") || config.dataDir,
    synchronous: config.sqliteSynchronous,
  });
  const appliedMigrations = await migrate(db);
  return {
    db,
    appliedMigrations,
    stores: {
      workspaces: new SqlWorkspaceStore(db),
      links: new SqlLinkStore(db),
      clicks: new SqlClickStore(db),
      customers: new SqlCustomerStore(db),
      conversions: new SqlConversionStore(db),
      fxRates: new SqlFxRateStore(db),
      settings: new SqlSettingsStore(db),
    },
  };
}

export async function createServices(
  config: Config,
  stores: Stores,
  logger: Logger,
  geo?: GeoResolver,
): Promise<Services> {
  const metrics = createMetrics();
  const links = new LinkService(stores.links, new MemoryLinkCache(), systemClock, config.shortDomain);
  const clickRecorder = new ClickRecorder(stores.clicks, config.clickDedupeSeconds * 1000, (count) =>
    metrics.clicksRecorded.inc(count),
  );
  const attribution = new ClickAttribution(stores.clicks, stores.links);
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
      onClickLost: (error) => {
        metrics.clicksLost.inc();
        logger.error(
          { err: error },
          "a click could not be stored; the visitor was redirected without a click id",
        );
      },
    },
  );
  return {
    workspaces: new WorkspaceService(stores.workspaces, systemClock),
    links,
    clickRecorder,
    redirects,
    clientClicks: new ClientClickService(links, stores.workspaces, redirects),
    rateLimiter: new MemoryRateLimiter(config.rateLimitPerMinute),
    leads: new LeadService(stores.customers, stores.conversions, attribution, systemClock, (count) =>
      metrics.conversionsTracked.inc({ type: "lead" }, count),
    ),
    sales: new SaleService(
      stores.customers,
      stores.conversions,
      stores.links,
      attribution,
      currency,
      systemClock,
      (kind) => metrics.conversionsTracked.inc({ type: kind }),
    ),
    customers: new CustomerService(stores.customers, systemClock),
    fxRates,
    metrics,
  };
}

/** Work that runs beside the requests; returns how to stop it. */
export async function startBackgroundJobs(
  config: Config,
  services: Services,
  stores: Stores,
  logger: Logger,
): Promise<() => void> {
  const fx = new FxRefresher(services.fxRates, config, logger);
  await fx.start();
  const windowMs = config.clickDedupeSeconds * 1000;
  const prune = setInterval(() => {
    stores.clicks
      .pruneVisitors(Date.now() - windowMs)
      .catch((error) => logger.warn({ err: error }, "visitor pruning failed"));
  }, VISITOR_PRUNE_INTERVAL_MS).unref();
  return () => {
    fx.stop();
    clearInterval(prune);
  };
}

const VISITOR_PRUNE_INTERVAL_MS = 10 * 60 * 1000;
