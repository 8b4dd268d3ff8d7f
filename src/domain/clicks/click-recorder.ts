import type { Click, ClickStore } from "./ports.js";

type Pending = { click: Click; resolve: (id: string) => void; reject: (error: unknown) => void };

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
    private readonly onCommitted: (newClicks: number) => void = () => {},
    private readonly maxBatch = 500,
  ) {}

  /** Resolves with the click id to hand to the visitor once the click is committed. */
  record(click: Click): Promise<string> {
    return new Promise((resolve, reject) => {
      this.pending.push({ click, resolve, reject });
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
      const ids = await this.store.recordBatch(
        batch.map((entry) => entry.click),
        this.dedupeWindowMs,
      );
      let fresh = 0;
      for (const [index, entry] of batch.entries()) {
        if (ids[index] === entry.click.id) fresh++;
        entry.resolve(ids[index]);
      }
      this.onCommitted(fresh);
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }
}
