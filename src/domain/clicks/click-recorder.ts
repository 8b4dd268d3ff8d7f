import type { Announcer } from "../announcements.js";
import { BatchedWrites, type Outcome } from "../batched-writes.js";
import type { OutboxEvent } from "../webhooks/model.js";
import type { Click } from "./model.js";
import type { ClickStore } from "./ports.js";

type Pending = { click: Click; webhook: OutboxEvent | null };

/**
 * Group commit for clicks: every redirect waits for its own durable commit, and the database sees one
 * transaction per batch of clicks.
 */
export class ClickRecorder {
  private readonly batches: BatchedWrites<Pending, string>;

  constructor(
    private readonly store: ClickStore,
    private readonly dedupeWindowMs: number,
    private readonly announcer: Announcer,
    maxBatch = 500,
  ) {
    this.batches = new BatchedWrites((batch) => this.write(batch), maxBatch);
  }

  /**
   * Resolves with the click id to hand to the visitor once the click is committed; its `webhook` event is
   * queued in the same transaction if the click is new.
   */
  record(click: Click, webhook: OutboxEvent | null = null): Promise<string> {
    return this.batches.add({ click, webhook });
  }

  /** Commits everything queued so far; used at shutdown. */
  drain(): Promise<void> {
    return this.batches.drain();
  }

  private async write(batch: Pending[]): Promise<Outcome<string>[]> {
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
    const fresh = batch.filter((entry, index) => ids[index] === entry.click.id).length;
    this.announcer.announce({ type: "clicks.recorded", newClicks: fresh, webhooks: queued });
    return ids.map((value) => ({ value }));
  }
}
