import type { Integration, IntegrationEvent } from "../domain/integrations/model.js";
import { iso } from "./iso.js";

/** An integration as the API shows it: never the secret, only a fingerprint of it. */
export function presentIntegration(integration: Integration, origin: string) {
  return {
    processor: integration.processor,
    webhookUrl: `${origin}/integrations/${integration.processor}/${integration.workspaceId}`,
    secretFingerprint: integration.secretFingerprint,
    previousSecretAcceptedUntil: iso(integration.previousSecretUntil),
    createdAt: iso(integration.createdAt),
    updatedAt: iso(integration.updatedAt),
  };
}

export function presentIntegrationEvent(event: IntegrationEvent) {
  return {
    processor: event.processor,
    eventId: event.eventId,
    type: event.type,
    livemode: event.livemode,
    receivedAt: iso(event.receivedAt),
    status: event.status,
    reason: event.reason,
    saleEventId: event.saleEventId,
    refundId: event.refundId,
    customerId: event.customerId,
    invoiceId: event.invoiceId,
    attempts: event.attempts,
    processedAt: iso(event.processedAt),
    cursor: `${event.receivedAt}.${event.eventId}`,
  };
}
