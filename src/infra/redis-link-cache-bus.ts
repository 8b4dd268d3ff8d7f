import type { Redis } from "ioredis";
import type { MemoryLinkCache } from "../domain/links/memory-link-cache.js";
import type { Link } from "../domain/links/model.js";
import type { LinkCache } from "../domain/links/ports.js";
import type { RedisErrorListener } from "./redis.js";

export const INVALIDATION_CHANNEL = "clicktrail:links:invalidate";

/**
 * This process's link cache, kept coherent with every other process's: an invalidation is applied here and
 * published to all, and each process applies the ones it receives. Redis only speeds coherence up: when a
 * message cannot be sent or received, the local entries' short lifetime still bounds how stale they get.
 */
export class RedisLinkCacheBus implements LinkCache {
  constructor(
    private readonly local: MemoryLinkCache,
    private readonly publisher: Redis,
    private readonly onError: RedisErrorListener,
  ) {}

  get(domain: string, key: string): Link | null | undefined {
    return this.local.get(domain, key);
  }

  set(domain: string, key: string, link: Link | null): void {
    this.local.set(domain, key, link);
  }

  /** Resolves once Redis has handed the message to every subscriber, or has failed to; it never rejects. */
  async invalidate(domain: string, key: string): Promise<void> {
    this.local.invalidate(domain, key);
    try {
      await this.publisher.publish(INVALIDATION_CHANNEL, JSON.stringify({ domain, key }));
    } catch (error) {
      this.onError("publish", error);
    }
  }

  /**
   * Applies the invalidations other processes publish. Whenever `subscriber` (re)connects, the whole local
   * cache is forgotten once the subscription is live again, since messages may have been missed meanwhile;
   * a subscription that fails is retried on a new connection.
   */
  listen(subscriber: Redis): void {
    subscriber.on("message", (channel: string, message: string) => {
      if (channel !== INVALIDATION_CHANNEL) return;
      const target = parse(message);
      if (target) this.local.invalidate(target.domain, target.key);
    });
    subscriber.on("ready", () => {
      subscriber.subscribe(INVALIDATION_CHANNEL).then(
        () => this.local.clear(),
        (error: unknown) => {
          this.onError("subscribe", error);
          subscriber.disconnect(true);
        },
      );
    });
  }
}

function parse(message: string): { domain: string; key: string } | undefined {
  try {
    const { domain, key } = JSON.parse(message) as { domain?: unknown; key?: unknown };
    return typeof key === "string" ? { domain: typeof domain === "string" ? domain : "", key } : undefined;
  } catch {
    return undefined;
  }
}
