import type { Announcer } from "../announcements.js";
import { prefixedId } from "../ids.js";
import type { AttemptOutcome, AttemptRecord, DueMessage, Sender, SendResult, WebhookStore } from "./ports.js";
import { isRetryable, nextDelayMs, type RetryPolicy } from "./retry-policy.js";
import { dubSignature, standardWebhookHeaders } from "./signature.js";

export type DeliveryOptions = {
  retry: RetryPolicy;
  pollMs: number;
  /** Deliveries in flight at once; a free slot is filled at once, so one slow receiver holds up only its own. */
  concurrency: number;
  /** A claimed message not finished within this time is claimed again by any worker. */
  leaseMs: number;
  /** After this many consecutive failed messages the webhook is disabled. */
  disableAfter: number;
};

/**
 * Delivers the outbox: claims due messages under a lease (so any number of processes can run a worker, and a
 * crashed one's messages come back), POSTs them signed, and records every attempt and what happens next.
 */
export class DeliveryWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private again = false;
  private readonly inFlight = new Set<Promise<void>>();
  private results: { entry: AttemptRecord; done: () => void }[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly store: WebhookStore,
    private readonly send: Sender,
    private readonly options: DeliveryOptions,
    private readonly announcer: Announcer,
  ) {}

  private failed(error: unknown): void {
    this.announcer.announce({ type: "webhook.delivery_failed", error });
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await Promise.all(this.inFlight);
  }

  /** New messages were committed (or a slot freed up): look for due messages now rather than at the next poll. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.drain().finally(() => {
        this.running = null;
        if (!this.stopped) this.schedule(this.again ? 0 : this.options.pollMs);
        this.again = false;
      });
    }, ms);
    this.timer.unref();
  }

  /** Starts deliveries for due messages while slots are free; finished deliveries look for more. */
  async drain(): Promise<void> {
    try {
      while (!this.stopped) {
        const free = this.options.concurrency - this.inFlight.size;
        if (free <= 0) return;
        const now = Date.now();
        const due = await this.store.claimDue(now, now + this.options.leaseMs, free);
        if (due.length === 0) return;
        for (const message of due) {
          const delivery: Promise<void> = this.deliver(message)
            .catch((error) => this.failed(error))
            .finally(() => {
              this.inFlight.delete(delivery);
              this.wake();
            });
          this.inFlight.add(delivery);
        }
      }
    } catch (error) {
      this.failed(error);
    }
  }

  private async deliver(message: DueMessage): Promise<void> {
    const result: SendResult = message.webhookDisabled
      ? { statusCode: null, latencyMs: 0, error: "the webhook is disabled", responseExcerpt: null }
      : await this.send(message.url, message.payload, this.headers(message));
    const at = Date.now();
    const entry: AttemptRecord = {
      message,
      outcome: this.outcomeOf(message, result, at),
      attempt: {
        id: prefixedId("att"),
        messageId: message.id,
        attemptedAt: at,
        statusCode: result.statusCode,
        latencyMs: result.latencyMs,
        error: succeeded(result) ? null : describe(result),
        responseExcerpt: result.responseExcerpt,
      },
    };
    await new Promise<void>((done) => {
      this.results.push({ entry, done });
      this.flushSoon();
    });
  }

  private outcomeOf(message: DueMessage, result: SendResult, at: number): AttemptOutcome {
    if (succeeded(result)) return { kind: "delivered", at };
    const attemptNumber = message.attempts + 1;
    if (
      !message.webhookDisabled &&
      isRetryable(result.statusCode) &&
      attemptNumber < this.options.retry.maxAttempts
    ) {
      return {
        kind: "retry",
        at,
        error: describe(result),
        nextAttemptAt: at + nextDelayMs(this.options.retry, attemptNumber),
      };
    }
    return { kind: "failed", at, error: describe(result), disableAfter: this.options.disableAfter };
  }

  /**
   * Attempts finished close together are recorded in one transaction (one commit instead of one per delivery).
   * A crash before the commit leaves their messages leased, so they are delivered again: at least once.
   */
  private flushSoon(): void {
    if (this.flushing) return;
    this.flushing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(async () => {
        while (this.results.length > 0) {
          const batch = this.results.splice(0, 200);
          try {
            await this.store.recordAttempts(batch.map(({ entry }) => entry));
            for (const { entry } of batch)
              this.announcer.announce({ type: "webhook.attempted", outcome: entry.outcome.kind });
          } catch (error) {
            this.failed(error);
          }
          for (const { done } of batch) done();
        }
      })
      .finally(() => {
        this.flushing = null;
      });
  }

  private headers(message: DueMessage): Record<string, string> {
    return signedHeaders(message.secret, message.eventId, message.payload);
  }
}

/** The headers every delivery carries: Dub's signature and the Standard Webhooks trio. */
export function signedHeaders(secret: string, eventId: string, payload: string): Record<string, string> {
  return {
    "user-agent": "Clicktrail-Webhooks/1.0",
    "dub-signature": dubSignature(secret, payload),
    ...standardWebhookHeaders(secret, eventId, Math.floor(Date.now() / 1000), payload),
  };
}

const succeeded = (result: SendResult) =>
  result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
const describe = (result: SendResult) => result.error ?? `answered ${result.statusCode}`;
