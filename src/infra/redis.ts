import { Redis, type RedisOptions } from "ioredis";
import type { Logger } from "pino";

export type RedisOperation = "connection" | "rate_limit" | "publish" | "subscribe" | "acknowledge";
export type RedisErrorListener = (operation: RedisOperation, error?: unknown) => void;

/** A dead Redis must fail a command at once (the callers fall back) rather than queue it until it returns. */
const OPTIONS: RedisOptions = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 2_000,
  commandTimeout: 1_000,
};

export type RedisClients = {
  /** For commands: rate limits, publishing, PING. */
  commands: Redis;
  /** A second connection, for it is in subscriber mode once it subscribes. */
  subscriber: Redis;
  /** Connects both; an unreachable Redis is logged, not thrown, and both keep retrying in the background. */
  connect(): Promise<void>;
  ping(): Promise<void>;
  close(): void;
};

export function createRedisClients(url: string, logger: Logger, onError: RedisErrorListener): RedisClients {
  const commands = new Redis(url, OPTIONS);
  // Subscriptions are renewed by whoever listens, on "ready", so that it knows when they are live again.
  const subscriber = commands.duplicate({ autoResubscribe: false });
  watch(commands, "commands", logger, onError);
  watch(subscriber, "subscriber", logger, onError);
  return {
    commands,
    subscriber,
    async connect() {
      await Promise.all([commands.connect(), subscriber.connect()]).catch(() => {});
    },
    async ping() {
      await commands.ping();
    },
    close() {
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}

/** Logs each outage once, when it starts and when it ends, and counts every connection error. */
function watch(client: Redis, name: string, logger: Logger, onError: RedisErrorListener) {
  let down = false;
  client.on("error", (error: Error) => {
    onError("connection", error);
    if (down) return;
    down = true;
    logger.warn({ err: error, connection: name }, "Redis is unreachable; falling back until it returns");
  });
  client.on("ready", () => {
    if (!down) return;
    down = false;
    logger.info({ connection: name }, "Redis is reachable again");
  });
}
