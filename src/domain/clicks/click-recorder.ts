import type { Announcer } from "../announcements.js";
import type { OutboxEvent } from "../webhooks/model.js";
import type { Click } from "./model.js";
import type { ClickStore } from "./ports.js";

type Pending = {
  click: Click;
  webhook: OutboxEvent | null;
  resolve: (id: string) => void;
  reject: (error: unknown) => void;
};

/**
 * Group commit: clicks that arrive while a batch is being written wait for the next one, so every
 * redirect waits for its own durable commit and the database sees one transaction per batch.
 */
export class ClickRecorder {
  private pending: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private scheduled = false;

  constructor(
    private readonly store: ClickStore,
    private readonly dedupeWindowMs: number,
    private readonly announcer: Announcer,
    private readonly maxBatch = 500,
  ) {}

  /**
   * Resolves with the click id to hand to the visitor once the click is committed; its `webhook` event is
   * queued in the same transaction if the click is new.
   */
  record(click: Click, webhook: OutboxEvent | null = null): Promise<string> {
    return new Promise((resolve, reject) => {
      this.pending.push({ click, webhook, resolve, reject });
      this.schedule();
    });
  }

  /** Commits everything queued so far; used at shutdown. */
  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.flushing) {
      if (this.flushing) await this.flushing;
      else await this.flush();
    }
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing || this.pending.length === 0) return;
    const batch = this.pending.splice(0, this.maxBatch);
    this.flushing = this.write(batch);
    await this.flushing;
    this.flushing = null;
    if (this.pending.length > 0) this.schedule();
  }

  private async write(batch: Pending[]): Promise<void> {
    try {
      const webhooks = new Map(
        batch.flatMap((entry) => (entry.webhook ? [[entry.click.id, entry.webhook]] : [])),
      );
      let queued = 0;
      const ids = await this.store.recordBatch(
        batch.map((entry) => entry.click),
        this.dedupeWindowMs,
        (fresh) => {
          const events = fresh.flatMap((click) => webhooks.get(click.id) ?? []);
          queued = events.length;
          return events;
        },
      );
      let fresh = 0;
      for (const [index, entry] of batch.entries()) {
        if (ids[index] === entry.click.id) fresh++;
        entry.resolve(ids[index]);
      }
      this.announcer.announce({ type: "clicks.recorded", newClicks: fresh, webhooks: queued });
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }
}
