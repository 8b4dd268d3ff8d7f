import type { DeliveryAttempt, Webhook, WebhookMessage } from "../domain/webhooks/model.js";
import { iso } from "./iso.js";

/** A webhook as the API shows it: the signing secret only right after it was set. */
export const presentWebhook = (webhook: Webhook, showSecret = false) => ({
  id: webhook.id,
  name: webhook.name,
  url: webhook.url,
  secret: showSecret ? webhook.secret : null,
  triggers: webhook.triggers,
  linkIds: webhook.linkIds ?? [],
  disabled: webhook.disabledAt !== null,
  disabledAt: iso(webhook.disabledAt),
  disabledReason: webhook.disabledReason,
  consecutiveFailures: webhook.consecutiveFailures,
  createdAt: iso(webhook.createdAt),
  updatedAt: iso(webhook.updatedAt),
});

/** One event sent (or to be sent) to a webhook, with its payload and every attempt. */
export const presentWebhookMessage = (message: WebhookMessage & { attemptLog: DeliveryAttempt[] }) => ({
  eventId: message.eventId,
  event: message.trigger,
  status: message.status,
  attempts: message.attempts,
  nextAttemptAt: message.status === "pending" ? iso(message.nextAttemptAt) : null,
  createdAt: iso(message.createdAt),
  deliveredAt: iso(message.deliveredAt),
  lastError: message.lastError,
  payload: JSON.parse(message.payload) as unknown,
  attemptLog: message.attemptLog.map((attempt) => ({
    attemptedAt: iso(attempt.attemptedAt),
    statusCode: attempt.statusCode,
    latencyMs: attempt.latencyMs,
    error: attempt.error,
    responseExcerpt: attempt.responseExcerpt,
  })),
});
