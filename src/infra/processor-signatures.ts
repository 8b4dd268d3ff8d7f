import { createHmac, timingSafeEqual } from "node:crypto";
import { createRequire } from "node:module";
import type Stripe from "stripe";
import { badRequest } from "../domain/errors.js";
import type { ReceivedEvent } from "../domain/integrations/model.js";
import type { Delivery, SignatureChecks } from "../domain/integrations/ports.js";

/** Stripe's default: a signature older than five minutes is a replay. */
export const STRIPE_TOLERANCE_SECONDS = 300;
/** Paddle's SDK allows 5 s, too little once a delivery waits in a proxy's queue: Stripe's window, both ways. */
export const PADDLE_TOLERANCE_SECONDS = 300;

/** Each processor's signature scheme over the raw body; the body is parsed only once a secret signed it. */
export const processorSignatures: SignatureChecks = {
  stripe: (delivery, secrets, now) => {
    const header = headerOf(delivery, "stripe-signature");
    if (!header) return null;
    const signed = secrets.some((secret) => stripeSigned(delivery.body, header, secret, now));
    if (!signed) return null;
    const event = parseObject(delivery.body);
    if (typeof event.id !== "string" || typeof event.type !== "string")
      throw badRequest("A Stripe event has an id and a type.");
    return {
      eventId: event.id,
      type: event.type,
      livemode: event.livemode === true,
      payload: text(delivery),
    };
  },
  shopify: (delivery, secrets) => {
    const header = headerOf(delivery, "x-shopify-hmac-sha256");
    if (!header) return null;
    if (!secrets.some((secret) => hmacMatches(secret, delivery.body, header, "base64"))) return null;
    const eventId = headerOf(delivery, "x-shopify-event-id") ?? headerOf(delivery, "x-shopify-webhook-id");
    const topic = headerOf(delivery, "x-shopify-topic");
    if (!eventId || !topic)
      throw badRequest("A Shopify webhook has X-Shopify-Topic and X-Shopify-Event-Id headers.");
    const body = parseObject(delivery.body);
    return { eventId, type: topic, livemode: body.test !== true, payload: text(delivery) };
  },
  paddle: (delivery, secrets, now) => {
    const header = headerOf(delivery, "paddle-signature");
    const signature = header ? paddleSignature(header) : null;
    if (!signature) return null;
    if (Math.abs(now / 1000 - Number(signature.ts)) > PADDLE_TOLERANCE_SECONDS) return null;
    const signed = Buffer.concat([Buffer.from(`${signature.ts}:`, "utf8"), delivery.body]);
    const matches = secrets.some((secret) =>
      signature.h1.some((h1) => hmacMatches(secret, signed, h1, "hex")),
    );
    if (!matches) return null;
    const event = parseObject(delivery.body);
    if (typeof event.event_id !== "string" || typeof event.event_type !== "string")
      throw badRequest("A Paddle notification has an event_id and an event_type.");
    // Paddle's sandbox is a separate account with its own secret: nothing in the event tells it from live.
    return { eventId: event.event_id, type: event.event_type, livemode: true, payload: text(delivery) };
  },
};

/**
 * `Paddle-Signature: ts=<unix s>;h1=<hex>[;h1=<hex>…]`: one `h1` per secret while a secret is rotated, any of them
 * may match (Paddle's Node SDK compares only the last one).
 */
function paddleSignature(header: string): { ts: string; h1: string[] } | null {
  let ts: string | null = null;
  const h1: string[] = [];
  for (const part of header.split(";")) {
    const at = part.indexOf("=");
    const name = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (name === "ts" && /^\d{1,12}$/.test(value)) ts = value;
    else if (name === "h1" && /^[0-9a-f]{64}$/i.test(value)) h1.push(value);
  }
  return ts !== null && h1.length > 0 ? { ts, h1 } : null;
}

/** Stripe's package is 220 modules: loaded when the first Stripe event arrives, not by every command and start. */
let stripePackage: typeof Stripe | undefined;
const stripe = () => {
  stripePackage ??= createRequire(import.meta.url)("stripe") as typeof Stripe;
  return stripePackage;
};

/** Verified by Stripe's own package (constant-time, any of several `v1`, refuses timestamps too old). */
function stripeSigned(body: Buffer, header: string, secret: string, now: number): boolean {
  try {
    return (
      stripe().webhooks.signature?.verifyHeader(
        body,
        header,
        secret,
        STRIPE_TOLERANCE_SECONDS,
        undefined,
        now,
      ) ?? false
    );
  } catch {
    return false;
  }
}

const headerOf = (delivery: Delivery, name: string): string | undefined => {
  const value = delivery.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const text = (delivery: Delivery) => delivery.body.toString("utf8");

function parseObject(body: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw badRequest("The event body is not JSON.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw badRequest("The event body is not a JSON object.");
  return parsed as Record<string, unknown>;
}

/** An HMAC-SHA256 of `message` under `secret`, compared in constant time with `expected` in `encoding`. */
export function hmacMatches(
  secret: string,
  message: Buffer | string,
  expected: string,
  encoding: "hex" | "base64",
): boolean {
  const actual = createHmac("sha256", secret).update(message).digest();
  const given = Buffer.from(expected, encoding);
  return given.length === actual.length && timingSafeEqual(given, actual);
}

export type { ReceivedEvent };
