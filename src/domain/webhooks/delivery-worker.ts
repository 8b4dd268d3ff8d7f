import { prefixedId } from "../../infra/ids.js";
import type { SendResult } from "../../infra/webhook-sender.js";
import type { AttemptOutcome, DueMessage, WebhookStore } from "./ports.js";
import { isRetryable, nextDelayMs, type RetryPolicy } from "./retry-policy.js";
import { dubSignature, standardWebhookHeaders } from "./signature.js";

export type Sender = (url: string, body: string, headers: Record<string, string>) => Promise<SendResult>;

export type DeliveryOptions = {
  retry: RetryPolicy;
  pollMs: number;
  /** Deliveries in flight at once; a free slot is filled at once, so one slow receiver holds up only its own. */
  concurrency: number;
  /** A claimed message not finished within this time is claimed again by any worker. */
  leaseMs: number;
  /** After this many consecutive failed messages the webhook is disabled. */
  disableAfter: number;
  onDelivery?: (outcome: AttemptOutcome["kind"]) => void;
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

  constructor(
    private readonly store: WebhookStore,
    private readonly send: Sender,
    private readonly options: DeliveryOptions,
    private readonly onError: (error: unknown) => void,
  ) {}

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

  /** New messages were committed: deliver now rather than at the next poll. */
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

  /** Starts deliveries for due messages while slots are free; each finished delivery looks for more. */
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
            .catch((error) => this.onError(error))
            .finally(() => {
              this.inFlight.delete(delivery);
              this.wake();
            });
          this.inFlight.add(delivery);
        }
      }
    } catch (error) {
      this.onError(error);
    }
  }

  private async deliver(message: DueMessage): Promise<void> {
    const attemptNumber = message.attempts + 1;
    const result: SendResult = message.webhookDisabled
      ? { statusCode: null, latencyMs: 0, error: "the webhook is disabled", responseExcerpt: null }
      : await this.send(message.url, message.payload, this.headers(message));
    const at = Date.now();
    const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    const error = ok ? null : (result.error ?? `answered ${result.statusCode}`);
    let outcome: AttemptOutcome;
    if (ok) outcome = { kind: "delivered", at };
    else if (
      !message.webhookDisabled &&
      isRetryable(result.statusCode) &&
      attemptNumber < this.options.retry.maxAttempts
    ) {
      outcome = {
        kind: "retry",
        at,
        error: error as string,
        nextAttemptAt: at + nextDelayMs(this.options.retry, attemptNumber),
      };
    } else outcome = { kind: "failed", at, error: error as string, disableAfter: this.options.disableAfter };
    await this.store.recordAttempt(
      message,
      {
        id: prefixedId("att"),
        messageId: message.id,
        attemptedAt: at,
        statusCode: result.statusCode,
        latencyMs: result.latencyMs,
        error,
        responseExcerpt: result.responseExcerpt,
      },
      outcome,
    );
    this.options.onDelivery?.(outcome.kind);
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
