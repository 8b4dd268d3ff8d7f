import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { DomainFallbacks } from "../domain/domains/model.js";
import { DOMAIN_FALLBACKS_KEY, type MemoryLinkCache } from "../domain/links/memory-link-cache.js";
import type { Link } from "../domain/links/model.js";
import type { LinkCache } from "../domain/links/ports.js";
import type { RedisErrorListener } from "./redis.js";

export const INVALIDATION_CHANNEL = "clicktrail:links:invalidate";
const ACK_TIMEOUT_MS = 500;

type Invalidation = { domain: string; key: string; origin?: string; id?: number };

/**
 * This process's link cache, kept coherent with every other process's: an invalidation is applied here,
 * published to all, applied by each, and acknowledged to its sender. Redis only speeds coherence up: when a
 * message cannot be sent or received, the local entries' short lifetime still bounds how stale they get.
 */
export class RedisLinkCacheBus implements LinkCache {
  private readonly origin = randomUUID();
  private readonly ackChannel = `clicktrail:links:ack:${this.origin}`;
  private sequence = 0;
  private readonly pendingAcks = new Map<number, () => void>();

  constructor(
    private readonly local: MemoryLinkCache,
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly onError: RedisErrorListener,
  ) {
    this.listen();
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

  /**
   * Resolves once every subscribed process has applied the invalidation (so a request answered after it sees
   * the change everywhere), or Redis failed to deliver it, or acknowledgements were late; never rejects.
   */
  async invalidate(domain: string, key: string): Promise<void> {
    this.local.invalidate(domain, key);
    const id = ++this.sequence;
    const acks = this.subscriber.status === "ready" ? this.collectAcks(id) : undefined;
    try {
      const message: Invalidation = { domain, key, origin: this.origin, id };
      const receivers = await this.publisher.publish(INVALIDATION_CHANNEL, JSON.stringify(message));
      if (acks && !(await acks.all(receivers))) this.onError("acknowledge");
    } catch (error) {
      this.onError("publish", error);
    } finally {
      acks?.cancel();
    }
  }

  private collectAcks(id: number) {
    let received = 0;
    let expected = Number.POSITIVE_INFINITY;
    let settle: (complete: boolean) => void = () => {};
    let timer: NodeJS.Timeout | undefined;
    const settled = new Promise<boolean>((resolve) => {
      settle = resolve;
    });
    this.pendingAcks.set(id, () => {
      if (++received >= expected) settle(true);
    });
    return {
      all: (receivers: number) => {
        expected = receivers;
        if (received >= expected) settle(true);
        timer = setTimeout(() => settle(false), ACK_TIMEOUT_MS);
        return settled;
      },
      cancel: () => {
        clearTimeout(timer);
        this.pendingAcks.delete(id);
      },
    };
  }

  /**
   * Applies and acknowledges the invalidations every process (this one included) publishes. Whenever the
   * subscriber (re)connects, the whole local cache is forgotten once the subscriptions are live again, since
   * messages may have been missed meanwhile; a subscription that fails is retried on a new connection.
   */
  private listen(): void {
    this.subscriber.on("message", (channel: string, text: string) => {
      if (channel === this.ackChannel) return this.pendingAcks.get(Number(text))?.();
      if (channel !== INVALIDATION_CHANNEL) return;
      const message = parse(text);
      if (!message) return;
      this.local.invalidate(message.domain, message.key);
      if (message.origin === undefined || message.id === undefined) return;
      this.publisher
        .publish(`clicktrail:links:ack:${message.origin}`, String(message.id))
        .catch((error: unknown) => this.onError("publish", error));
    });
    this.subscriber.on("ready", () => {
      this.subscriber.subscribe(INVALIDATION_CHANNEL, this.ackChannel).then(
        () => this.local.clear(),
        (error: unknown) => {
          this.onError("subscribe", error);
          this.subscriber.disconnect(true);
        },
      );
    });
  }
}

function parse(text: string): Invalidation | undefined {
  try {
    const { domain, key, origin, id } = JSON.parse(text) as Record<string, unknown>;
    if (typeof key !== "string") return undefined;
    return {
      domain: typeof domain === "string" ? domain : "",
      key,
      origin: typeof origin === "string" ? origin : undefined,
      id: typeof id === "number" ? id : undefined,
    };
  } catch {
    return undefined;
  }
}
