import type { DomainFallbacks } from "../domain/domains/model.js";
import { DOMAIN_FALLBACKS_KEY, type MemoryLinkCache } from "../domain/links/memory-link-cache.js";
import type { Link } from "../domain/links/model.js";
import type { LinkCache } from "../domain/links/ports.js";
import { askPrimary, onRelayedInvalidation } from "./cluster-channel.js";

/**
 * A worker's link cache under `WORKERS=N` without Redis: an invalidation is applied here, relayed by the
 * primary to every other worker, and awaited until each has applied it, so the API answers only once no
 * worker can serve the old link. When the primary does not answer in time, the short lifetime of local
 * entries still bounds staleness.
 */
export class ClusterLinkCache implements LinkCache {
  constructor(
    private readonly local: MemoryLinkCache,
    private readonly onLateAcknowledgement: () => void,
  ) {
    onRelayedInvalidation((domain, key) => this.local.invalidate(domain, key));
  }

  get(domain: string, key: string): Link | null | undefined {
    return this.local.get(domain, key);
  }

  set(domain: string, key: string, link: Link | null): void {
    this.local.set(domain, key, link);
  }

  getDomain(domain: string): DomainFallbacks | null | undefined {
    return this.local.getDomain(domain);
  }

  setDomain(domain: string, fallbacks: DomainFallbacks | null): void {
    this.local.setDomain(domain, fallbacks);
  }

  /** Travels as an invalidation of a key no link can have, which every receiver applies to the domain. */
  invalidateDomain(domain: string): Promise<void> {
    return this.invalidate(domain, DOMAIN_FALLBACKS_KEY);
  }

  async invalidate(domain: string, key: string): Promise<void> {
    this.local.invalidate(domain, key);
    const reply = await askPrimary({ type: "invalidate", domain, key });
    if (!reply.ok) this.onLateAcknowledgement();
  }
}
