import type {
  EventListing,
  Integration,
  IntegrationEvent,
  Outcome,
  Processor,
  ReceivedEvent,
} from "./model.js";

/** The event as a processor delivered it: its raw body and headers (names lower-cased). */
export type Delivery = { body: Buffer; headers: Record<string, string | string[] | undefined> };

/**
 * Checks a delivery's signature against the secrets the workspace accepts and reads the event's id and type.
 * Null when no secret signed it (or the signature is too old); the payload is never parsed before that.
 */
export type SignatureCheck = (delivery: Delivery, secrets: string[], now: number) => ReceivedEvent | null;

export type SignatureChecks = Record<Processor, SignatureCheck>;

/** A received event a worker has leased, with its stored payload. */
export type DueEvent = IntegrationEvent & { payload: string | null };

export type EventKey = { workspaceId: string; processor: Processor; eventId: string };

export interface IntegrationStore {
  /** Sets the secret; the one it replaces stays accepted until `previousUntil` (null: not at all). */
  save(
    workspaceId: string,
    processor: Processor,
    secret: string,
    at: number,
    previousUntil: number | null,
  ): Promise<Integration>;
  list(workspaceId: string): Promise<Integration[]>;
  remove(workspaceId: string, processor: Processor): Promise<boolean>;
  /** The secrets a delivery may be signed with now; null when the workspace has no such integration. */
  secrets(workspaceId: string, processor: Processor, now: number): Promise<string[] | null>;

  /** Stores the event under its id unless it is there already (a redelivery): `duplicate` then. */
  receive(
    workspaceId: string,
    processor: Processor,
    event: ReceivedEvent,
    at: number,
  ): Promise<{ duplicate: boolean }>;
  /** Leases up to `limit` events still to process (received, or leased by a worker that never finished). */
  claimDue(now: number, leaseUntil: number, limit: number): Promise<DueEvent[]>;
  finish(key: EventKey, outcome: Outcome, at: number): Promise<void>;
  /** A failure of ours: tried again after the lease, or `failed` for good with `error`. */
  release(key: EventKey, error: string, at: number, giveUp: boolean): Promise<void>;
  /** Parked events waiting for one of `keys` (a payment that now has its sale) go back to be processed. */
  wakeParked(workspaceId: string, processor: Processor, keys: string[]): Promise<number>;
  listEvents(workspaceId: string, listing: EventListing): Promise<IntegrationEvent[]>;
  getEvent(key: EventKey): Promise<IntegrationEvent | null>;

  /**
   * The processor's customer id (`cus_…`) for one of ours, first link kept; a customer's first Stripe customer is
   * also its `stripeCustomerId`.
   */
  linkCustomer(
    workspaceId: string,
    processor: Processor,
    processorCustomerId: string,
    customerId: string,
    at: number,
  ): Promise<void>;
  customerFor(workspaceId: string, processor: Processor, processorCustomerId: string): Promise<string | null>;
  /** Every customer linked to one of the processor's customers. */
  linkedCustomers(workspaceId: string, processor: Processor): Promise<string[]>;
  /** A payment (`pi_…`) and the invoice id its sale was recorded under, first link kept. */
  linkPayment(
    workspaceId: string,
    processor: Processor,
    paymentKey: string,
    invoiceId: string,
    at: number,
  ): Promise<void>;
  invoiceForPayment(workspaceId: string, processor: Processor, paymentKey: string): Promise<string | null>;
}

/** A recorded sale, as a refund needs it. */
export type SaleRef = {
  id: string;
  workspaceId: string;
  customerId: string;
  timestamp: number;
  /** What was paid, in the currency's minor units, and the USD cents it counted for (when converted). */
  originalAmount: number;
  originalCurrency: string;
  amount: number;
  converted: boolean;
};

export interface SaleLedger {
  /** The sale recorded under `invoiceId` (by a processor or by `track.sale`), or null. */
  saleForInvoice(workspaceId: string, invoiceId: string): Promise<SaleRef | null>;
}

/** A refund a processor reported, in the sale's currency's ISO minor units, under the key that dedupes it. */
export type RefundRecord = {
  workspaceId: string;
  saleEventId: string;
  processor: Processor;
  /** Unique per workspace and processor: a redelivery or a second report of the same refund records nothing. */
  refundKey: string;
  amount: number;
  currency: string;
  timestamp: number;
  reason: string | null;
};

export type RefundResult =
  | { kind: "recorded"; refundId: string; amount: number; usdCents: number | null }
  | { kind: "duplicate"; refundId: string }
  /** The sale is refunded in full already: nothing is left to take back. */
  | { kind: "exhausted" }
  | { kind: "currency"; saleCurrency: string }
  | { kind: "no-sale" };

export interface RefundStore extends SaleLedger {
  /**
   * Atomic: writes the refund (at most what is left of the sale), takes its USD cents off the sale's link and
   * customer and out of the rollups at the refund's time. The sale itself stays as it was recorded.
   */
  recordRefund(refund: RefundRecord): Promise<RefundResult>;
  /** What was refunded of a sale so far, in the sale's currency's minor units. */
  refundedOf(workspaceId: string, saleEventId: string): Promise<number>;
}
