import type { DomainFallbacks } from "../domains/model.js";
import type { Link } from "./model.js";
import type { LinkCache } from "./ports.js";

/**
 * The key under which an invalidation names a domain's fallbacks rather than a link: no link key can hold a
 * `/`, so the processes that relay `invalidate(domain, key)` carry it unchanged.
 */
export const DOMAIN_FALLBACKS_KEY = "/";

/**
 * A bounded, short-lived in-process cache of redirect lookups (misses included, so a flood of unknown keys
 * does not reach the database). A lookup is cached under the host the visitor used, which may differ from
 * the link's domain (unknown hosts fall back to the default domain), so a change to a key forgets that key
 * under every host. Entries also expire after `ttlMs`, as a safety net for changes made by other processes.
 * The fallbacks of custom domains are kept beside the links, by host, under the same rules.
 */
export class MemoryLinkCache implements LinkCache {
  private readonly entries = new Map<string, { link: Link | null; expiresAt: number; key: string }>();
  private readonly hostsByKey = new Map<string, Set<string>>();
  private readonly domains = new Map<string, { fallbacks: DomainFallbacks | null; expiresAt: number }>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly ttlMs = 5_000,
  ) {}

  get(domain: string, key: string): Link | null | undefined {
    const id = `${domain}/${key}`;
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt < Date.now()) {
      this.remove(id);
      return undefined;
    }
    return entry.link;
  }

  set(domain: string, key: string, link: Link | null): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.remove(oldest);
    }
    const id = `${domain}/${key}`;
    this.entries.set(id, { link, expiresAt: Date.now() + this.ttlMs, key });
    const hosts = this.hostsByKey.get(key) ?? new Set<string>();
    hosts.add(id);
    this.hostsByKey.set(key, hosts);
  }

  invalidate(domain: string, key: string): void {
    if (key === DOMAIN_FALLBACKS_KEY) {
      this.domains.delete(domain);
      return;
    }
    for (const id of this.hostsByKey.get(key) ?? []) this.entries.delete(id);
    this.hostsByKey.delete(key);
  }

  getDomain(domain: string): DomainFallbacks | null | undefined {
    const entry = this.domains.get(domain);
    if (!entry) return undefined;
    if (entry.expiresAt < Date.now()) {
      this.domains.delete(domain);
      return undefined;
    }
    return entry.fallbacks;
  }

  setDomain(domain: string, fallbacks: DomainFallbacks | null): void {
    if (this.domains.size >= this.maxEntries) {
      const oldest = this.domains.keys().next().value;
      if (oldest !== undefined) this.domains.delete(oldest);
    }
    this.domains.set(domain, { fallbacks, expiresAt: Date.now() + this.ttlMs });
  }

  invalidateDomain(domain: string): void {
    this.invalidate(domain, DOMAIN_FALLBACKS_KEY);
  }

  clear(): void {
    this.entries.clear();
    this.hostsByKey.clear();
    this.domains.clear();
  }

  private remove(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    const hosts = this.hostsByKey.get(entry.key);
    hosts?.delete(id);
    if (hosts?.size === 0) this.hostsByKey.delete(entry.key);
  }
}
