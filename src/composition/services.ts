import { createHmac } from "node:crypto";
import type { Logger } from "pino";
import type { Config } from "../config.js";
import type { AccountService } from "../domain/accounts/account-service.js";
import type { MembershipService } from "../domain/accounts/membership-service.js";
import type { AnalyticsService } from "../domain/analytics/analytics-service.js";
import { ClickRecorder } from "../domain/clicks/click-recorder.js";
import { ClickTracker } from "../domain/clicks/click-tracker.js";
import { ClientClickService } from "../domain/clicks/client-click-service.js";
import type { GeoResolver } from "../domain/clicks/ports.js";
import { RedirectService } from "../domain/clicks/redirect-service.js";
import { systemClock } from "../domain/clock.js";
import { ClickAttribution } from "../domain/conversions/attribution.js";
import { ConversionRecorder } from "../domain/conversions/conversion-recorder.js";
import { CurrencyConverter } from "../domain/conversions/currency.js";
import type { FxRateBook } from "../domain/conversions/fx-rate-book.js";
import { LeadService } from "../domain/conversions/lead-service.js";
import { SaleService } from "../domain/conversions/sale-service.js";
import type { CustomerService } from "../domain/customers/customer-service.js";
import type { DomainService } from "../domain/domains/domain-service.js";
import type { EventService } from "../domain/events/event-service.js";
import type { FolderService } from "../domain/folders/folder-service.js";
import { EventWorker } from "../domain/integrations/event-worker.js";
import { eventHandlers } from "../domain/integrations/handlers.js";
import type { IntegrationService } from "../domain/integrations/integration-service.js";
import type { BulkLinkService } from "../domain/links/bulk-links.js";
import type { LinkService } from "../domain/links/link-service.js";
import { MetatagsService } from "../domain/metatags/metatags-service.js";
import type { TagService } from "../domain/tags/tag-service.js";
import { DeliveryWorker } from "../domain/webhooks/delivery-worker.js";
import type { WebhookService } from "../domain/webhooks/webhook-service.js";
import type { ApiTokenService } from "../domain/workspaces/api-tokens.js";
import type { RateLimiter } from "../domain/workspaces/ports.js";
import type { WorkspaceService } from "../domain/workspaces/workspace-service.js";
import { isClusterWorker } from "../infra/cluster-channel.js";
import { DatabaseAvailability } from "../infra/database-availability.js";
import { MmdbGeoResolver } from "../infra/geo.js";
import { createMetrics, type Metrics } from "../infra/metrics.js";
import { pageFetcher } from "../infra/page-fetcher.js";
import { uaParserDevices } from "../infra/user-agent.js";
import type { Stores } from "../store/open-storage.js";
import { saleReceipts } from "../wire/track.js";
import { Dispatcher, listeners } from "./listeners.js";
import { sharedState } from "./shared-state.js";
import { storeServices } from "./store-services.js";

/** How often each process looks for processor events left unprocessed (new ones are processed at once). */
const INTEGRATION_POLL_MS = 5_000;

export type Services = {
  workspaces: WorkspaceService;
  tokens: ApiTokenService;
  accounts: AccountService;
  memberships: MembershipService;
  links: LinkService;
  bulkLinks: BulkLinkService;
  domains: DomainService;
  tags: TagService;
  folders: FolderService;
  redirects: RedirectService;
  clientClicks: ClientClickService;
  clickRecorder: ClickRecorder;
  conversionRecorder: ConversionRecorder;
  rateLimiter: RateLimiter;
  leads: LeadService;
  sales: SaleService;
  customers: CustomerService;
  events: EventService;
  analytics: AnalyticsService;
  fxRates: FxRateBook;
  metrics: Metrics;
  webhooks: WebhookService;
  delivery: DeliveryWorker;
  metatags: MetatagsService;
  integrations: IntegrationService;
  /** Processes the payment processors' stored events after they were answered. */
  integrationEvents: EventWorker;
  /** Whether the database takes writes; told of every failure that says it does not. */
  database: DatabaseAvailability;
  /** Resolves when Redis answers; undefined when no Redis is configured. */
  pingRedis: (() => Promise<void>) | undefined;
  /** Releases the connections the services hold (Redis); the storage is closed by its owner. */
  close(): Promise<void>;
};

/** A server's services over `stores`, each announcing what it commits to the one table of listeners. */
export async function createServices(
  config: Config,
  stores: Stores,
  logger: Logger,
  geo?: GeoResolver,
): Promise<Services> {
  const metrics = createMetrics({ clustered: isClusterWorker() });
  const shared = await sharedState(config, logger, metrics);
  const announcer = new Dispatcher(logger);
  const database = new DatabaseAvailability(() => stores.settings.writeProbe(Date.now()), logger);
  const { payloads, send, links, domains, webhooks, fxRates, ...plain } = storeServices(
    config,
    stores,
    shared.linkCache,
    announcer,
    shared.loginFailures,
  );
  const delivery = new DeliveryWorker(
    stores.webhooks,
    send,
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
    },
    announcer,
  );
  const attribution = new ClickAttribution(stores.clicks, stores.links);
  const conversionRecorder = new ConversionRecorder(stores.conversions);
  const leads = new LeadService(
    stores.customers,
    conversionRecorder,
    attribution,
    payloads,
    systemClock,
    announcer,
  );
  const sales = new SaleService({
    customers: stores.customers,
    conversions: stores.conversions,
    recorder: conversionRecorder,
    links: stores.links,
    attribution,
    currency: new CurrencyConverter(fxRates),
    events: payloads,
    receipts: saleReceipts,
    clock: systemClock,
    announcer,
  });
  const integrationEvents = new EventWorker(
    stores.integrations,
    eventHandlers({
      store: stores.integrations,
      customers: stores.customers,
      ledger: stores.refunds,
      leads,
      sales,
      clock: systemClock,
    }),
    { pollMs: INTEGRATION_POLL_MS, leaseMs: 60_000, maxAttempts: 10, batch: 20 },
    announcer,
  );
  announcer.listen(listeners({ metrics, logger, database, delivery, integrationEvents }));

  const clickRecorder = new ClickRecorder(stores.clicks, config.clickDedupeSeconds * 1000, announcer);
  const visitorSecret = await stores.settings.get("visitor_hash_secret");
  const clicks = new ClickTracker(
    clickRecorder,
    geo ?? (await MmdbGeoResolver.open()),
    uaParserDevices,
    webhooks,
    payloads,
    { anonymizeIp: config.anonymizeIp, visitorSecret, rememberClicks: config.clickDedupeSeconds > 0 },
    stores.clicks,
  );
  await fxRates.refresh();
  await shared.connect();
  return {
    ...plain,
    links,
    domains,
    clickRecorder,
    conversionRecorder,
    redirects: new RedirectService(links, domains, clicks, systemClock, announcer, {
      attempts: shared.passwordAttempts,
      secret: createHmac("sha256", visitorSecret).update("password unlock").digest("base64url"),
    }),
    clientClicks: new ClientClickService(links, stores.workspaces, clicks, systemClock),
    rateLimiter: shared.rateLimiter,
    leads,
    sales,
    fxRates,
    metrics,
    webhooks,
    delivery,
    // Pages are fetched under the webhooks' address policy: the same callers reach out, to the same networks.
    metatags: new MetatagsService(
      pageFetcher({ timeoutMs: config.metatagsTimeoutMs, allowPrivate: config.webhookAllowPrivate }),
    ),
    integrationEvents,
    database,
    pingRedis: shared.ping,
    close: async () => shared.close(),
  };
}
