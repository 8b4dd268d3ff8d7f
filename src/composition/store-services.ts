import type { Config } from "../config.js";
import { AccountService } from "../domain/accounts/account-service.js";
import { MembershipService } from "../domain/accounts/membership-service.js";
import {
  type PasswordHasher,
  scryptHasher,
  scryptPasswords,
  TEST_ONLY_COST,
} from "../domain/accounts/passwords.js";
import type { FailureLimiter } from "../domain/accounts/ports.js";
import { AnalyticsService } from "../domain/analytics/analytics-service.js";
import type { Announcer } from "../domain/announcements.js";
import { systemClock } from "../domain/clock.js";
import { FxRateBook } from "../domain/conversions/fx-rate-book.js";
import { CustomerService } from "../domain/customers/customer-service.js";
import { DomainService } from "../domain/domains/domain-service.js";
import { EventService } from "../domain/events/event-service.js";
import { FolderService } from "../domain/folders/folder-service.js";
import { IntegrationService } from "../domain/integrations/integration-service.js";
import { BulkLinkService } from "../domain/links/bulk-links.js";
import { LinkService } from "../domain/links/link-service.js";
import type { LinkCache } from "../domain/links/ports.js";
import { TagService } from "../domain/tags/tag-service.js";
import type { Sender } from "../domain/webhooks/ports.js";
import { WebhookService } from "../domain/webhooks/webhook-service.js";
import { ApiTokenService } from "../domain/workspaces/api-tokens.js";
import { WorkspaceService } from "../domain/workspaces/workspace-service.js";
import { receiverRefusal } from "../infra/address-policy.js";
import { processorSignatures } from "../infra/processor-signatures.js";
import { postWebhook } from "../infra/webhook-sender.js";
import type { Stores } from "../store/open-storage.js";
import { DubWebhookPayloads } from "../wire/webhook-payloads.js";

/** scrypt at its production cost, unless the configuration is a test suite's (config.ts: testPasswordCost). */
export const passwordHasher = (config: Config): PasswordHasher =>
  config.testPasswordCost ? scryptHasher(TEST_ONLY_COST) : scryptPasswords;

/**
 * The services that need only storage, the configuration and someone to announce to: built alike for a server
 * and for a `clicktrail` command.
 */
export function storeServices(
  config: Config,
  stores: Stores,
  linkCache: LinkCache,
  announcer: Announcer,
  loginFailures?: FailureLimiter,
) {
  const accounts = new AccountService(
    stores.accounts,
    stores.workspaces,
    passwordHasher(config),
    systemClock,
    loginFailures,
  );
  const payloads = new DubWebhookPayloads(config.shortLinkProtocol);
  const workspaces = new WorkspaceService(stores.workspaces, systemClock);
  const links = new LinkService(
    stores.links,
    stores.domains,
    linkCache,
    systemClock,
    config.shortDomain,
    payloads,
    announcer,
    stores.tags,
    stores.folders,
    stores.webhooks,
  );
  return {
    payloads,
    /** POSTs to webhook receivers, only ever at the addresses the receiver policy allows. */
    send: ((url, body, headers) =>
      postWebhook(url, body, headers, {
        timeoutMs: config.webhookTimeoutMs,
        allowPrivate: config.webhookAllowPrivate,
      })) satisfies Sender,
    workspaces,
    tokens: new ApiTokenService(stores.workspaces, workspaces),
    accounts,
    memberships: new MembershipService(stores.accounts, stores.workspaces, accounts, systemClock),
    links,
    bulkLinks: new BulkLinkService(links, stores.links, linkCache, systemClock, payloads, announcer),
    domains: new DomainService(
      stores.domains,
      linkCache,
      systemClock,
      config.shortDomain,
      payloads,
      announcer,
    ),
    tags: new TagService(stores.tags, systemClock),
    folders: new FolderService(stores.folders, systemClock, stores.accounts),
    webhooks: new WebhookService(
      stores.webhooks,
      stores.links,
      systemClock,
      receiverRefusal(config.webhookAllowPrivate),
      announcer,
      payloads,
    ),
    customers: new CustomerService(stores.customers, stores.links, systemClock),
    events: new EventService(stores.events, stores.links, stores.customers, stores.folders, systemClock),
    analytics: new AnalyticsService(stores.analytics, stores.links, stores.tags, stores.folders, systemClock),
    fxRates: new FxRateBook(stores.fxRates),
    integrations: new IntegrationService(
      stores.integrations,
      stores.workspaces,
      processorSignatures,
      systemClock,
      announcer,
    ),
  };
}

export type StoreServices = ReturnType<typeof storeServices>;
