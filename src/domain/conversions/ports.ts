import type { Customer } from "../customers/model.js";
import type { OutboxEvent } from "../webhooks/model.js";
import type { LeadEvent, SaleEvent, SaleReceipt } from "./model.js";

export type LeadRecord = {
  /** Created unless the workspace already has a customer with this externalId. */
  customer: Customer;
  /** One lead per (customer, slug), claimed in the same transaction as the events. */
  slug: string;
  /** `customerId` is replaced by the stored customer's id. */
  events: LeadEvent[];
  /** Webhook events for the recorded lead, built from the stored customer; queued in the same transaction. */
  outbox?: (customer: Customer) => OutboxEvent[];
};

/** `duplicate`: the customer already had this lead, and nothing was written. */
export type RecordedLead = { duplicate: boolean; customer: Customer };

/** `replayed`: the invoice was claimed before, nothing was written, and `receipt` is the first sale's. */
export type RecordedSale = { receipt: string; replayed: boolean };

/** Where conversions are recorded: the store itself, or a recorder that batches many into one transaction. */
export interface ConversionWriter {
  recordLead(lead: LeadRecord): Promise<RecordedLead>;
  recordSale(sale: SaleRecord): Promise<RecordedSale>;
}

export type SaleRecord = {
  event: SaleEvent;
  /** The JSON answered for this sale, kept with the invoice claim so a repeat gets the same bytes. */
  receipt: string;
  /** Webhook events for the sale, queued in its transaction unless the invoice was already claimed. */
  outbox?: OutboxEvent[];
};

/** Writes a sale's receipt as the JSON answered for it, which a repeat of its invoice replays byte for byte. */
export interface SaleReceiptWriter {
  write(receipt: SaleReceipt): string;
}

export interface ConversionStore extends ConversionWriter {
  /** Atomic: get-or-create the customer, claim the dedupe slug, write the events, add to the link's leads. */
  recordLead(lead: LeadRecord): Promise<RecordedLead>;
  /**
   * `recordLead` for many leads in one transaction, answered in their order. Two leads of one customer and slug
   * in a batch: the first is recorded, the second is a duplicate.
   */
  recordLeads(leads: readonly LeadRecord[]): Promise<RecordedLead[]>;
  latestLead(workspaceId: string, customerId: string, eventName: string | null): Promise<LeadEvent | null>;
  receiptForInvoice(workspaceId: string, invoiceId: string): Promise<string | null>;
  /**
   * Atomic: claim the invoice (if any), write the sale, add to the link's and the customer's counters.
   * When the invoice was already claimed nothing is written and the first receipt is returned.
   */
  recordSale(sale: SaleRecord): Promise<RecordedSale>;
  /** `recordSale` for many sales in one transaction, answered in their order; a repeated invoice is replayed. */
  recordSales(sales: readonly SaleRecord[]): Promise<RecordedSale[]>;
}

/** Exchange rates as units of a currency per one US dollar. */
export interface FxRates {
  ratePerUsd(currency: string): number | undefined;
}

export type FxRateSource = "manual" | "file" | "feed";

export type FxRate = { currency: string; source: FxRateSource; ratePerUsd: number; updatedAt: number };

export interface FxRateStore {
  list(): Promise<FxRate[]>;
  save(rates: FxRate[]): Promise<void>;
}
