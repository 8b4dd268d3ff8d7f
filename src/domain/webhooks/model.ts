export const WEBHOOK_TRIGGERS = [
  "link.clicked",
  "lead.created",
  "sale.created",
  "link.created",
  "link.updated",
  "link.deleted",
] as const;

export type WebhookTrigger = (typeof WEBHOOK_TRIGGERS)[number];

export type Webhook = {
  id: string;
  workspaceId: string;
  name: string;
  url: string;
  secret: string;
  triggers: WebhookTrigger[];
  /** Only events of these links; null means every link. */
  linkIds: string[] | null;
  disabledAt: number | null;
  disabledReason: string | null;
  consecutiveFailures: number;
  createdAt: number;
  updatedAt: number;
};

/** An event for the outbox: written in the same transaction as what caused it, once per subscribed webhook. */
export type OutboxEvent = {
  workspaceId: string;
  trigger: WebhookTrigger;
  /** The link the event is about, for webhooks limited to some links. */
  linkId: string;
  eventId: string;
  /** The exact JSON body every delivery of this event sends. */
  payload: string;
  createdAt: number;
};

export type MessageStatus = "pending" | "delivered" | "failed";

/** One event on its way to one webhook. */
export type WebhookMessage = {
  id: string;
  workspaceId: string;
  webhookId: string;
  eventId: string;
  trigger: WebhookTrigger;
  payload: string;
  status: MessageStatus;
  attempts: number;
  nextAttemptAt: number;
  createdAt: number;
  deliveredAt: number | null;
  lastError: string | null;
};

export type DeliveryAttempt = {
  id: string;
  messageId: string;
  attemptedAt: number;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  responseExcerpt: string | null;
};
