import type { Attribution, Click } from "../clicks/model.js";
import type { Money, PaymentProcessor } from "../conversions/model.js";
import type { Customer } from "../customers/model.js";
import type { Link } from "../links/model.js";
import type {
  DeliveryAttempt,
  MessageStatus,
  OutboxEvent,
  Webhook,
  WebhookMessage,
  WebhookTrigger,
} from "./model.js";

/** What one POST to a receiver came to; a connection or timeout failure has no status code. */
export type SendResult = {
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  responseExcerpt: string | null;
};

/** POSTs a signed body to a receiver, only ever to an address the receiver policy allows. */
export type Sender = (url: string, body: string, headers: Record<string, string>) => Promise<SendResult>;

/** Why a receiver URL may not be a webhook's: null when it may. */
export type ReceiverCheck = (url: string) => Promise<string | null>;

export type WebhookFields = Pick<Webhook, "name" | "url" | "triggers" | "linkIds">;

/** A claimed message with what delivering it needs. */
export type DueMessage = WebhookMessage & { url: string; secret: string; webhookDisabled: boolean };

export type AttemptOutcome =
  | { kind: "delivered"; at: number }
  | { kind: "retry"; at: number; nextAttemptAt: number; error: string }
  | { kind: "failed"; at: number; error: string; disableAfter: number };

export type AttemptRecord = { message: DueMessage; attempt: DeliveryAttempt; outcome: AttemptOutcome };

export interface WebhookStore {
  create(webhook: Webhook): Promise<void>;
  get(workspaceId: string, id: string): Promise<Webhook | null>;
  /** The workspace webhook `id` belongs to, whichever it is (for the operator's command line), or null. */
  workspaceOf(id: string): Promise<string | null>;
  list(workspaceId: string): Promise<Webhook[]>;
  update(
    workspaceId: string,
    id: string,
    fields: Partial<WebhookFields> & { disabled?: boolean },
    at: number,
  ): Promise<Webhook | null>;
  delete(workspaceId: string, id: string): Promise<boolean>;
  /** Whether any enabled webhook of the workspace listens to `trigger` (so events are worth building). */
  hasSubscribers(workspaceId: string, trigger: WebhookTrigger): Promise<boolean>;

  /**
   * Leases up to `limit` messages that are due (pending, next attempt reached, not leased by another worker)
   * until `leaseUntil`; a worker that dies leaves them to be claimed again when the lease ends.
   */
  claimDue(now: number, leaseUntil: number, limit: number): Promise<DueMessage[]>;
  /**
   * Records attempts and their outcomes in one transaction; a final failure counts against its webhook, which
   * may be disabled.
   */
  recordAttempts(records: AttemptRecord[]): Promise<void>;
  listMessages(
    workspaceId: string,
    webhookId: string,
    options: { status?: MessageStatus; limit: number; page: number },
  ): Promise<(WebhookMessage & { attemptLog: DeliveryAttempt[] })[]>;
  /** Queues `event` for webhook `webhookId` alone, whatever it subscribes to: false when there is no such webhook. */
  enqueueFor(workspaceId: string, webhookId: string, event: OutboxEvent): Promise<boolean>;
  /** Makes a message due now again (also a delivered or failed one); false when there is no such message. */
  requeue(workspaceId: string, webhookId: string, eventId: string, at: number): Promise<boolean>;
}

export type LeadCreated = {
  link: Link;
  customer: Customer;
  attribution: Attribution;
  clickedAt: number;
  eventName: string;
  metadata: Record<string, unknown> | null;
  at: number;
};

export type SaleCreated = {
  link: Link;
  /** As it stands after the sale. */
  customer: Customer;
  attribution: Attribution;
  eventName: string;
  money: Money;
  paymentProcessor: PaymentProcessor;
  invoiceId: string | null;
  metadata: Record<string, unknown> | null;
  at: number;
};

export type LinkChange = "link.created" | "link.updated" | "link.deleted";

/**
 * Turns what happened into the outbox event every webhook of the workspace is sent: one event id and one
 * payload, built once, so every delivery and every attempt sends the same bytes.
 */
export interface WebhookPayloads {
  leadCreated(lead: LeadCreated): OutboxEvent;
  saleCreated(sale: SaleCreated): OutboxEvent;
  linkClicked(link: Link, click: Click): OutboxEvent;
  linkChanged(trigger: LinkChange, link: Link, at: number): OutboxEvent;
}
