/** What one item of a batch came to: its own result, or the error that stops only its caller. */
export type Outcome<R> = { value: R } | { error: unknown };

type Pending<T, R> = { item: T; resolve: (value: R) => void; reject: (error: unknown) => void };

/**
 * Group commit for one kind of write: items that arrive while a batch is being written wait for the next one,
 * so every caller waits for its own durable commit and the database sees one transaction per batch. `write`
 * answers with one outcome per item, in order; if it throws, every item of the batch fails with that error.
 */
export class BatchedWrites<T, R> {
  private pending: Pending<T, R>[] = [];
  private flushing: Promise<void> | null = null;
  private scheduled = false;

  constructor(
    private readonly write: (items: T[]) => Promise<Outcome<R>[]>,
    private readonly maxBatch: number,
  ) {}

  add(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Writes everything queued so far; used at shutdown. */
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
    this.flushing = this.settle(batch);
    await this.flushing;
    this.flushing = null;
    if (this.pending.length > 0) this.schedule();
  }

  private async settle(batch: Pending<T, R>[]): Promise<void> {
    try {
      const outcomes = await this.write(batch.map((entry) => entry.item));
      for (const [index, entry] of batch.entries()) {
        const outcome = outcomes[index];
        if ("value" in outcome) entry.resolve(outcome.value);
        else entry.reject(outcome.error);
      }
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }
}
