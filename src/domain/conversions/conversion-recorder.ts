import { BatchedWrites, type Outcome } from "../batched-writes.js";
import type {
  ConversionStore,
  ConversionWriter,
  LeadRecord,
  RecordedLead,
  RecordedSale,
  SaleRecord,
} from "./ports.js";

/**
 * Group commit for conversions: leads tracked together are written in one transaction, sales in another, with
 * one statement per table and their rollup cells merged; each caller is answered once its own is committed.
 */
export class ConversionRecorder implements ConversionWriter {
  private readonly leads: BatchedWrites<LeadRecord, RecordedLead>;
  private readonly sales: BatchedWrites<SaleRecord, RecordedSale>;

  constructor(store: ConversionStore, maxBatch = 200) {
    this.leads = new BatchedWrites(
      oneByOneOnFailure(
        (leads) => store.recordLeads(leads),
        (lead) => store.recordLead(lead),
      ),
      maxBatch,
    );
    this.sales = new BatchedWrites(
      oneByOneOnFailure(
        (sales) => store.recordSales(sales),
        (sale) => store.recordSale(sale),
      ),
      maxBatch,
    );
  }

  recordLead(lead: LeadRecord): Promise<RecordedLead> {
    return this.leads.add(lead);
  }

  recordSale(sale: SaleRecord): Promise<RecordedSale> {
    return this.sales.add(sale);
  }

  /** Commits everything queued so far; used at shutdown. */
  async drain(): Promise<void> {
    await Promise.all([this.leads.drain(), this.sales.drain()]);
  }
}

/**
 * Writes a batch at once; if that fails, each item again on its own, so that whatever failed the batch (a
 * customer erased meanwhile, say) fails only the caller it belongs to.
 */
function oneByOneOnFailure<T, R>(
  many: (items: T[]) => Promise<R[]>,
  one: (item: T) => Promise<R>,
): (items: T[]) => Promise<Outcome<R>[]> {
  const settle = (item: T) =>
    one(item).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
  return async (items) => {
    if (items.length === 1) return [await settle(items[0])];
    try {
      return (await many(items)).map((value) => ({ value }));
    } catch {
      return Promise.all(items.map(settle));
    }
  };
}
