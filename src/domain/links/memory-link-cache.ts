import type { Link } from "./model.js";
import type { LinkCache } from "./ports.js";

/**
 * A bounded, short-lived in-process cache of redirect lookups (misses included, so a flood of unknown keys
 * does not reach the database). A lookup is cached under the host the visitor used, which may differ from
 * the link's domain (unknown hosts fall back to the default domain), so a change to a key forgets that key
 * under every host. Entries also expire after `ttlMs`, as a safety net for changes made by other processes.
 */
export class MemoryLinkCache implements LinkCache {
  private readonly entries = new Map<string, { link: Link | null; expiresAt: number; key: string }>();
  private readonly hostsByKey = new Map<string, Set<string>>();

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

  invalidate(_domain: string, key: string): void {
    for (const id of this.hostsByKey.get(key) ?? []) this.entries.delete(id);
    this.hostsByKey.delete(key);
  }

  clear(): void {
    this.entries.clear();
    this.hostsByKey.clear();
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
