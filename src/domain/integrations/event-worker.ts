import type { Announcer } from "../announcements.js";
import { DomainError } from "../errors.js";
import type { Outcome, Processor } from "./model.js";
import type { DueEvent, EventKey, IntegrationStore } from "./ports.js";

/** Works out what one stored event becomes; throws only for a failure of ours (worth trying again). */
export type EventHandler = (event: DueEvent, body: unknown) => Promise<Outcome>;

export type EventHandlers = Record<Processor, EventHandler>;

export type EventWorkerOptions = { pollMs: number; leaseMs: number; maxAttempts: number; batch: number };

/**
 * Processes stored processor events after they were answered: claims them under a lease (any number of
 * processes can run one; a crashed one's events come back), hands each to its processor's handler, and records
 * what it became. A caller's mistake in the event (a click that does not exist) is the event's outcome
 * (ignored, with the message); anything else is tried again, up to `maxAttempts`.
 */
export class EventWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private again = false;

  constructor(
    private readonly store: IntegrationStore,
    private readonly handlers: EventHandlers,
    private readonly options: EventWorkerOptions,
    private readonly announcer: Announcer,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** An event was stored: process it now rather than at the next poll. */
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

  async drain(): Promise<void> {
    try {
      while (!this.stopped) {
        const now = Date.now();
        const due = await this.store.claimDue(now, now + this.options.leaseMs, this.options.batch);
        if (due.length === 0) return;
        for (const event of due) await this.process(event);
      }
    } catch (error) {
      this.announcer.announce({ type: "integration.failed", error });
    }
  }

  private async process(event: DueEvent): Promise<void> {
    const key: EventKey = {
      workspaceId: event.workspaceId,
      processor: event.processor,
      eventId: event.eventId,
    };
    let outcome: Outcome;
    try {
      if (event.payload === null) outcome = { status: "ignored", reason: "its payload was erased" };
      else outcome = await this.handlers[event.processor](event, JSON.parse(event.payload));
    } catch (error) {
      if (error instanceof DomainError) {
        outcome = { status: "ignored", reason: error.message };
      } else {
        const giveUp = event.attempts + 1 >= this.options.maxAttempts;
        await this.store.release(key, String((error as Error)?.message ?? error), Date.now(), giveUp);
        this.announcer.announce({ type: "integration.failed", error });
        return;
      }
    }
    await this.store.finish(key, outcome, Date.now());
    this.announcer.announce({ type: "integration.processed", processor: event.processor, outcome });
  }
}
