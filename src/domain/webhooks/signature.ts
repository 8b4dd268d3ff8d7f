import { createHmac, randomBytes } from "node:crypto";

/** `whsec_` + 32 random bytes in base64: usable as Dub's HMAC key (the whole string) and as a Standard Webhooks key. */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString("base64")}`;

/** Dub's `Dub-Signature`: hex HMAC-SHA256 of the exact body bytes, keyed with the secret string. */
export const dubSignature = (secret: string, body: string) =>
  createHmac("sha256", secret).update(body).digest("hex");

/**
 * Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`): base64 HMAC-SHA256 of
 * "<id>.<timestamp>.<body>" keyed with the base64-decoded part of the secret after `whsec_`.
 */
export function standardWebhookHeaders(secret: string, id: string, timestampSeconds: number, body: string) {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const signature = createHmac("sha256", key).update(`${id}.${timestampSeconds}.${body}`).digest("base64");
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": `v1,${signature}`,
  };
}
