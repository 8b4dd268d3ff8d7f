import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the receiver got, with both signatures checked against the secret it knew at the time. */
export type Delivery = {
  path: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as received. */
  raw: Buffer;
  body: string;
  // biome-ignore lint/suspicious/noExplicitAny: a webhook payload, checked by the tests with the SDK schemas
  json: any;
  receivedAt: number;
  /** `Dub-Signature` = hex HMAC-SHA256(secret string, raw body). */
  dubSignatureValid: boolean;
  /** `webhook-signature` = v1,base64 HMAC-SHA256(base64-decoded secret after whsec_, "<id>.<ts>.<body>"). */
  standardSignatureValid: boolean;
  /** What the receiver answered; "hang" when it never answered, "stall" when it sent headers but never finished. */
  answered: Answer;
};

/**
 * How to answer the n-th request (1-based) of this receiver: a status code, "hang" to never answer, or "stall" to
 * send a 200 status line and part of a body but never finish it, or a status code sent after a delay.
 */
export type Responder = (n: number, delivery: Delivery) => Answer;
export type Answer = number | "hang" | "stall" | { status: number; afterMs: number };

export type Receiver = {
  url: string;
  port: number;
  /** The webhook secret to verify with; set it as soon as the webhook is created. */
  secret: string | null;
  respond: Responder;
  deliveries: Delivery[];
  /** Deliveries whose body is the event `event` (optionally matching `where`). */
  of(event: string, where?: (delivery: Delivery) => boolean): Delivery[];
  close(): Promise<void>;
};

const safeEqual = (a: string, b: string) => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

export function verifyDubSignature(secret: string, raw: Buffer, header: string | undefined): boolean {
  if (!header) return false;
  return safeEqual(createHmac("sha256", secret).update(raw).digest("hex"), header);
}

/** Standard Webhooks verification as its reference libraries do it (any of the space-separated v1 signatures). */
export function verifyStandardSignature(secret: string, raw: Buffer, headers: IncomingHttpHeaders): boolean {
  const id = headers["webhook-id"];
  const timestamp = headers["webhook-timestamp"];
  const signatures = headers["webhook-signature"];
  if (typeof id !== "string" || typeof timestamp !== "string" || typeof signatures !== "string") return false;
  if (!secret.startsWith("whsec_")) return false;
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  const expected = createHmac("sha256", key)
    .update(Buffer.concat([Buffer.from(`${id}.${timestamp}.`), raw]))
    .digest("base64");
  return signatures
    .split(" ")
    .some((entry) => entry.startsWith("v1,") && safeEqual(entry.slice(3), expected));
}

/** A real HTTP webhook receiver (on 127.0.0.1 unless told) that records every request and answers as `respond` says. */
export async function startReceiver(
  respond: Responder = () => 200,
  port = 0,
  host = "127.0.0.1",
): Promise<Receiver> {
  const hanging = new Set<ServerResponse>();
  const receiver: Receiver = {
    url: "",
    port: 0,
    secret: null,
    respond,
    deliveries: [],
    of: (event, where = () => true) =>
      receiver.deliveries.filter((delivery) => delivery.json?.event === event && where(delivery)),
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const raw = Buffer.concat(chunks);
      const body = raw.toString("utf8");
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {
        // recorded as is; the tests assert on json
      }
      const secret = receiver.secret;
      const delivery: Delivery = {
        path: request.url ?? "",
        headers: request.headers,
        raw,
        body,
        json,
        receivedAt: Date.now(),
        dubSignatureValid:
          secret !== null && verifyDubSignature(secret, raw, request.headers["dub-signature"] as string),
        standardSignatureValid: secret !== null && verifyStandardSignature(secret, raw, request.headers),
        answered: 200,
      };
      receiver.deliveries.push(delivery);
      const answer = receiver.respond(receiver.deliveries.length, delivery);
      delivery.answered = answer;
      if (answer === "hang" || answer === "stall") {
        hanging.add(response);
        response.on("close", () => hanging.delete(response));
        if (answer === "stall") {
          response.writeHead(200, { "content-type": "text/plain" });
          response.write("still writing");
        }
        return;
      }
      const n = receiver.deliveries.length;
      const [status, afterMs] = typeof answer === "number" ? [answer, 0] : [answer.status, answer.afterMs];
      setTimeout(() => {
        response.writeHead(status, { "content-type": "text/plain" });
        response.end(`receiver answered ${status} to request ${n}`);
      }, afterMs);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://${host.includes(":") ? `[${host}]` : host}:${receiver.port}/hooks`;
  return receiver;
}

/** Polls `check` until it returns a truthy value (returned) or fails with what it was waiting for. */
export async function until<T>(
  check: () => T | Promise<T>,
  what: string | (() => string),
  ms = 10_000,
  every = 20,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${typeof what === "string" ? what : what()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, every));
  }
}
