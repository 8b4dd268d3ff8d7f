import { BatchedWrites, type Outcome } from "../batched-writes.js";
import type { ConversionStore, LeadRecord, LeadWriter, RecordedLead } from "./ports.js";

/**
 * Group commit for leads: leads tracked together are written in one transaction, with one statement per table
 * and their rollup cells merged, and each caller is answered once its lead is committed.
 */
export class LeadRecorder implements LeadWriter {
  private readonly batches: BatchedWrites<LeadRecord, RecordedLead>;

  constructor(
    private readonly store: ConversionStore,
    maxBatch = 200,
  ) {
    this.batches = new BatchedWrites((leads) => this.write(leads), maxBatch);
  }

  recordLead(lead: LeadRecord): Promise<RecordedLead> {
    return this.batches.add(lead);
  }

  /** Commits everything queued so far; used at shutdown. */
  drain(): Promise<void> {
    return this.batches.drain();
  }

  private async write(leads: LeadRecord[]): Promise<Outcome<RecordedLead>[]> {
    try {
      return (await this.store.recordLeads(leads)).map((value) => ({ value }));
    } catch (error) {
      if (leads.length === 1) return [{ error }];
      // Whatever failed the batch fails only the lead it belongs to: each is written again on its own.
      return Promise.all(
        leads.map((lead) =>
          this.store.recordLead(lead).then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          ),
        ),
      );
    }
  }
}
