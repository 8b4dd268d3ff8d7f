import type { Announcer } from "../announcements.js";
import type { Clock } from "../clock.js";
import { conflict, forbidden, notFound, UniqueViolation } from "../errors.js";
import { normaliseDomain } from "../links/link-service.js";
import type { Link } from "../links/model.js";
import type { LinkCache } from "../links/ports.js";
import type { WebhookPayloads } from "../webhooks/ports.js";
import type { Principal } from "../workspaces/model.js";
import {
  type Domain,
  type DomainFallbacks,
  type DomainFilter,
  type DomainInput,
  type DomainStatus,
  newDomain,
} from "./model.js";
import type { DomainStore } from "./ports.js";

/** Links deleted per transaction when a domain goes: short transactions leave room for clicks meanwhile. */
const DELETE_BATCH = 500;

export class DomainService {
  constructor(
    private readonly store: DomainStore,
    private readonly cache: LinkCache,
    private readonly clock: Clock,
    private readonly defaultDomain: string,
    private readonly events: WebhookPayloads,
    private readonly announcer: Announcer,
  ) {}

  /** Registers a domain for the workspace: the first to ask owns it (ADR 12), anyone else gets a conflict. */
  async create(principal: Principal, input: DomainInput & { slug: string }): Promise<Domain> {
    const slug = normaliseDomain(input.slug);
    if (slug === this.defaultDomain) throw conflict(this.sharedDefault(slug));
    const candidate = newDomain(principal.workspaceId, slug, this.clock.now(), input);
    const owner = await this.store.claim(candidate);
    if (owner !== principal.workspaceId) throw conflict(inUse(slug));
    const domain = await this.store.find(principal.workspaceId, slug);
    if (domain?.id !== candidate.id) {
      throw conflict(
        `The domain ${slug} is already in this workspace: change it with PATCH /domains/${slug}.`,
      );
    }
    await this.cache.invalidateDomain(slug);
    return domain;
  }

  list(principal: Principal, filter: DomainFilter): Promise<Domain[]> {
    return this.store.list(principal.workspaceId, {
      ...filter,
      search: filter.search ? normaliseDomain(filter.search) : undefined,
    });
  }

  async update(principal: Principal, slugParam: string, input: DomainInput): Promise<Domain> {
    const before = await this.get(principal, slugParam);
    const fields = definedOnly(input);
    const at = this.clock.now();
    const renamed = fields.slug === undefined ? before.slug : normaliseDomain(fields.slug);
    if (renamed === before.slug) {
      const { slug: _same, ...settings } = fields;
      const after = await this.store.update(principal.workspaceId, before.slug, settings, at);
      if (!after) throw notFound("Domain not found.");
      await this.cache.invalidateDomain(after.slug);
      return after;
    }
    if (renamed === this.defaultDomain) throw conflict(this.sharedDefault(renamed));
    let result: Awaited<ReturnType<DomainStore["rename"]>>;
    try {
      result = await this.store.rename(
        principal.workspaceId,
        before.slug,
        { ...fields, slug: renamed },
        at,
        (link) => this.events.linkChanged("link.updated", link, at),
      );
    } catch (error) {
      if (error instanceof UniqueViolation && error.target === "slug") throw conflict(inUse(renamed));
      throw error;
    }
    if (!result) throw notFound("Domain not found.");
    if (result.moved.length > 0) this.announcer.announce({ type: "link.changed", change: "updated" });
    await Promise.all([this.cache.invalidateDomain(before.slug), this.cache.invalidateDomain(renamed)]);
    await this.forget(result.moved.flatMap((link) => [{ ...link, domain: before.slug }, link]));
    return result.domain;
  }

  /**
   * Deletes the domain and every link on it, as Dub does, a batch at a time: each batch commits its links'
   * `link.deleted` events with it, and the domain goes with the last batch, so an interrupted deletion leaves
   * the domain in place with fewer links and is finished by asking again.
   */
  async delete(principal: Principal, slugParam: string): Promise<{ slug: string }> {
    const { slug } = await this.get(principal, slugParam);
    const at = this.clock.now();
    for (;;) {
      const { deleted, removed } = await this.store.deleteSome(
        principal.workspaceId,
        slug,
        DELETE_BATCH,
        (link) => this.events.linkChanged("link.deleted", link, at),
      );
      if (deleted.length > 0) this.announcer.announce({ type: "link.changed", change: "deleted" });
      await this.forget(deleted);
      if (removed) break;
    }
    await this.cache.invalidateDomain(slug);
    return { slug };
  }

  /** How many links go when the workspace's domain is deleted. */
  async linkCount(principal: Principal, slugParam: string): Promise<number> {
    const { slug } = await this.get(principal, slugParam);
    return this.store.countLinks(principal.workspaceId, slug);
  }

  /** Whether the workspace could add each domain now: not the shared default, nobody else's, not in use elsewhere. */
  async status(principal: Principal, domains: string[]): Promise<DomainStatus[]> {
    return Promise.all(
      domains.map(async (given) => {
        const slug = normaliseDomain(given);
        const available =
          slug !== this.defaultDomain && (await this.store.claimable(principal.workspaceId, slug));
        return { domain: slug, available };
      }),
    );
  }

  /** Dub sells domains; a self-hosted server cannot. */
  register(domain: string): never {
    throw forbidden(
      `Clicktrail cannot register (buy) domains. Buy ${normaliseDomain(domain)} from a registrar, point its DNS ` +
        "at this server, then add it with POST /domains.",
    );
  }

  /** The fallbacks of the host a visitor asked, kept in the link cache like the links themselves. */
  async fallbacks(host: string): Promise<DomainFallbacks | null> {
    const slug = normaliseDomain(host);
    const cached = this.cache.getDomain(slug);
    if (cached !== undefined) return cached;
    const fallbacks = slug === this.defaultDomain ? null : await this.store.fallbacksOf(slug);
    this.cache.setDomain(slug, fallbacks);
    return fallbacks;
  }

  private async get(principal: Principal, slugParam: string): Promise<Domain> {
    const slug = normaliseDomain(slugParam);
    if (slug === this.defaultDomain) throw forbidden(this.sharedDefault(slug));
    const domain = await this.store.find(principal.workspaceId, slug);
    if (!domain) throw notFound("Domain not found.");
    return domain;
  }

  private async forget(links: Pick<Link, "domain" | "key">[]): Promise<void> {
    await Promise.all(links.map((link) => this.cache.invalidate(link.domain, link.key)));
  }

  private sharedDefault(slug: string): string {
    return (
      `${slug} is this server's default short domain, shared by every workspace: it is not a workspace's ` +
      "domain and only the operator changes it (clicktrail short-domain set)."
    );
  }
}

const inUse = (slug: string) => `The domain ${slug} is already in use by another workspace.`;

function definedOnly(input: DomainInput): DomainInput {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}
