import cluster, { type Worker } from "node:cluster";

/**
 * `WORKERS=N` without Redis: the worker processes agree through the primary, over the cluster's IPC channel.
 * A worker asks, the primary answers (`request`); the primary relays invalidations to every other worker and
 * answers once each has applied them.
 */
export const CHANNEL = "clicktrail:cluster";
export const REPLY_TIMEOUT_MS = 1_000;

type Question = { type: "invalidate"; domain: string; key: string } | { type: "metrics" };

export type ClusterMessage =
  | (Question & { channel: typeof CHANNEL; id: number })
  | { channel: typeof CHANNEL; type: "reply"; id: number; ok: boolean; body?: string };

export const isClusterWorker = () => cluster.isWorker;

export const isClusterMessage = (message: unknown): message is ClusterMessage =>
  typeof message === "object" && message !== null && (message as { channel?: unknown }).channel === CHANNEL;

let sequence = 0;
const waiting = new Map<number, (reply: { ok: boolean; body?: string }) => void>();
let listening = false;

/** A worker's question to the primary; resolves with its reply, or `{ ok: false }` after the timeout. */
export function askPrimary(message: Question): Promise<{ ok: boolean; body?: string }> {
  listenForReplies();
  const id = ++sequence;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      resolve({ ok: false });
    }, REPLY_TIMEOUT_MS);
    waiting.set(id, (reply) => {
      clearTimeout(timer);
      waiting.delete(id);
      resolve(reply);
    });
    process.send?.({ ...message, channel: CHANNEL, id }, undefined, undefined, (error) => {
      if (error) waiting.get(id)?.({ ok: false });
    });
  });
}

function listenForReplies() {
  if (listening) return;
  listening = true;
  process.on("message", (message) => {
    if (isClusterMessage(message) && message.type === "reply") waiting.get(message.id)?.(message);
  });
}

/** Workers apply what the primary relays, and say so. */
export function onRelayedInvalidation(apply: (domain: string, key: string) => void): void {
  process.on("message", (message) => {
    if (!isClusterMessage(message) || message.type !== "invalidate") return;
    apply(message.domain, message.key);
    process.send?.({ channel: CHANNEL, type: "reply", id: message.id, ok: true });
  });
}

/** The primary's side: relays invalidations to the other workers and answers metrics requests. */
export function serveWorkers(collectMetrics: () => Promise<string>): void {
  let relaySequence = 0;
  const pendingRelays = new Map<number, () => void>();
  cluster.on("message", (worker: Worker, message: unknown) => {
    if (!isClusterMessage(message)) return;
    const reply = (ok: boolean, body?: string) => {
      if (worker.isConnected()) worker.send({ channel: CHANNEL, type: "reply", id: message.id, ok, body });
    };
    if (message.type === "reply") return pendingRelays.get(message.id)?.();
    if (message.type === "metrics") {
      collectMetrics().then(
        (body) => reply(true, body),
        () => reply(false),
      );
      return;
    }
    const others = Object.values(cluster.workers ?? {}).filter(
      (other): other is Worker => other !== undefined && other !== worker && other.isConnected(),
    );
    let outstanding = others.length;
    if (outstanding === 0) return reply(true);
    const id = ++relaySequence;
    const timer = setTimeout(() => finish(false), REPLY_TIMEOUT_MS / 2);
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      pendingRelays.delete(id);
      reply(ok);
    };
    pendingRelays.set(id, () => {
      if (--outstanding === 0) finish(true);
    });
    for (const other of others) {
      other.send({ channel: CHANNEL, type: "invalidate", id, domain: message.domain, key: message.key });
    }
  });
}
