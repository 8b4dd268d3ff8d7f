// Processor deliveries as the processors send them: the raw JSON body, signed by the processor's own scheme, POSTed
import { createHmac } from "node:crypto";
// to /integrations/{processor}/{workspaceId} of a real server. Stripe's headers come from its own test helper.
import Stripe from "stripe";
import type { presentIntegrationEvent } from "../../src/wire/integration.js";
import { apiJson } from "./journey.js";
import type { TestServer } from "./server.js";
import { until } from "./webhook-receiver.js";

export type Answer = { status: number; body: Record<string, unknown> };

/** The POST a processor makes, answered as a fetch Response (for `rejection`). */
export const post = (
  server: TestServer,
  processor: string,
  body: string,
  headers: Record<string, string>,
  workspaceId = server.workspaceId,
) =>
  fetch(`${server.origin}/integrations/${processor}/${workspaceId}`, {
    method: "POST",
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
    body,
  });

export async function deliver(
  server: TestServer,
  processor: string,
  body: string,
  headers: Record<string, string>,
  workspaceId = server.workspaceId,
): Promise<Answer> {
  const response = await post(server, processor, body, headers, workspaceId);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} };
}

/** `Stripe-Signature` for `body`, made by the `stripe` package's own test helper (timestamp in seconds). */
export const stripeSignature = (body: string, secret: string, timestamp = Math.floor(Date.now() / 1000)) =>
  Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp });

/** A Stripe event envelope around `object`, as an endpoint on API version 2026-02-25.clover receives it. */
export function stripeEvent(
  id: string,
  type: string,
  object: Record<string, unknown>,
  previousAttributes?: Record<string, unknown>,
) {
  return JSON.stringify({
    id,
    object: "event",
    api_version: "2026-02-25.clover",
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object, ...(previousAttributes ? { previous_attributes: previousAttributes } : {}) },
  });
}

export const sendStripe = (
  server: TestServer,
  body: string,
  secret: string,
  workspaceId = server.workspaceId,
) => deliver(server, "stripe", body, { "stripe-signature": stripeSignature(body, secret) }, workspaceId);

/** An event as GET /integrations/events lists it. */
export type ListedEvent = ReturnType<typeof presentIntegrationEvent>;

export const integrationEvents = async (server: TestServer, query = "", key = server.key) =>
  (await apiJson(server.origin, key, "GET", `/integrations/events${query}`)) as unknown as ListedEvent[];

/** The event once the worker has processed it (its status is no longer `received`). */
export async function processed(server: TestServer, processor: string, eventId: string, key = server.key) {
  return until(async () => {
    const event = (await apiJson(
      server.origin,
      key,
      "GET",
      `/integrations/${processor}/events/${encodeURIComponent(eventId)}`,
    )) as unknown as ListedEvent;
    return event.status === "received" ? null : event;
  }, `${processor} event ${eventId} to be processed`);
}

/** Shopify's headers for `body`: the base64 HMAC-SHA256 of the raw body under the app's secret, topic and ids. */
export function shopifyHeaders(body: string, secret: string, topic: string, eventId: string) {
  return {
    "x-shopify-hmac-sha256": createHmac("sha256", secret).update(body, "utf8").digest("base64"),
    "x-shopify-topic": topic,
    "x-shopify-shop-domain": "acme-tees.myshopify.com",
    "x-shopify-api-version": "2026-01",
    "x-shopify-webhook-id": `wh-${eventId}`,
    "x-shopify-event-id": eventId,
    "x-shopify-triggered-at": new Date().toISOString(),
  };
}

/**
 * `Paddle-Signature` for `body` as Paddle documents it: `ts=<unix s>;h1=<hex HMAC-SHA256 of "<ts>:<body>">`, one
 * `h1` per secret (Paddle sends one per secret while a secret is rotated).
 */
export function paddleSignature(body: string, secrets: string[], ts = Math.floor(Date.now() / 1000)) {
  const h1 = secrets.map(
    (secret) => `h1=${createHmac("sha256", secret).update(`${ts}:${body}`).digest("hex")}`,
  );
  return [`ts=${ts}`, ...h1].join(";");
}

/** A Paddle Billing notification around `data`, as a notification destination receives it. */
export const paddleEvent = (eventId: string, eventType: string, data: Record<string, unknown>) =>
  JSON.stringify({
    event_id: eventId,
    event_type: eventType,
    occurred_at: new Date().toISOString(),
    notification_id: `ntf_${eventId.slice(4)}`,
    data,
  });

export const sendPaddle = (
  server: TestServer,
  body: string,
  secret: string,
  workspaceId = server.workspaceId,
) => deliver(server, "paddle", body, { "paddle-signature": paddleSignature(body, [secret]) }, workspaceId);
