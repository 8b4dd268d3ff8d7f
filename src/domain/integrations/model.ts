export const PROCESSORS = ["stripe", "shopify", "paddle"] as const;

export type Processor = (typeof PROCESSORS)[number];

export const isProcessor = (value: string): value is Processor =>
  (PROCESSORS as readonly string[]).includes(value);

/** A workspace's integration with a processor. The secret never leaves the store but to verify a signature. */
export type Integration = {
  workspaceId: string;
  processor: Processor;
  /** The first characters of the secret's SHA-256, to tell which secret is set without showing it. */
  secretFingerprint: string;
  /** While a rotated-out secret is still accepted (Shopify signs with the old one for up to an hour). */
  previousSecretUntil: number | null;
  createdAt: number;
  updatedAt: number;
};

/**
 * What a processor event became: a sale, a refund, a lead, a link between the processor's customer or payment
 * and ours, ignored (with why), parked until the sale it needs arrives, or failed after every attempt.
 * `received` is stored before the processor is answered, and processed after.
 */
export const EVENT_STATUSES = [
  "received",
  "sale",
  "refund",
  "lead",
  "linked",
  "erased",
  "ignored",
  "parked",
  "failed",
] as const;

export type EventStatus = (typeof EVENT_STATUSES)[number];

export type IntegrationEvent = {
  workspaceId: string;
  processor: Processor;
  /** The processor's own id for the event (`evt_…`, `X-Shopify-Event-Id`, Paddle `event_id`). */
  eventId: string;
  type: string;
  livemode: boolean;
  receivedAt: number;
  status: EventStatus;
  reason: string | null;
  saleEventId: string | null;
  refundId: string | null;
  customerId: string | null;
  invoiceId: string | null;
  attempts: number;
  processedAt: number | null;
};

/** A verified delivery, as it is stored before it is answered. */
export type ReceivedEvent = {
  eventId: string;
  type: string;
  livemode: boolean;
  /** The raw body as the processor signed it. */
  payload: string;
};

/** What processing an event came to. */
export type Outcome =
  | { status: "sale"; saleEventId: string | null; invoiceId: string; customerId: string; reason?: string }
  | { status: "refund"; refundId: string; saleEventId: string; customerId: string; reason?: string }
  | { status: "lead"; customerId: string; reason?: string }
  | { status: "linked"; customerId?: string; invoiceId?: string; reason: string }
  | { status: "erased"; reason: string }
  | { status: "ignored"; reason: string }
  | { status: "parked"; awaiting: string; reason: string };

export type EventListing = {
  processor?: Processor;
  status?: EventStatus;
  limit: number;
  /** Events received strictly before this one (newest first). */
  before?: { receivedAt: number; eventId: string };
};
