import type { Link } from "./model.js";
import type { LinkCache } from "./ports.js";

/**
 * A bounded, short-lived in-process cache of redirect lookups (misses included, so a flood of
 * unknown keys does not reach the database). Entries expire after `ttlMs` as a safety net;
 * the link service invalidates them on every change made through this process.
 */
export class MemoryLinkCache implements LinkCache {
  private readonly entries = new Map<string, { link: Link | null; expiresAt: number }>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly ttlMs = 5_000,
  ) {}

  get(domain: string, key: string): Link | null | undefined {
    const id = `${domain}/${key}`;
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt < Date.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return entry.link;
  }

  set(domain: string, key: string, link: Link | null): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(`${domain}/${key}`, { link, expiresAt: Date.now() + this.ttlMs });
  }

  invalidate(domain: string, key: string): void {
    this.entries.delete(`${domain}/${key}`);
  }
}
