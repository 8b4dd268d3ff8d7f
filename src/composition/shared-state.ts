import type { Logger } from "pino";
import type { Config } from "../config.js";
import type { FailureLimiter } from "../domain/accounts/ports.js";
import { LOGIN_FAILURES, LOGIN_WINDOW_SECONDS } from "../domain/accounts/session-policy.js";
import { PASSWORD_ATTEMPTS_PER_MINUTE } from "../domain/clicks/password-gate.js";
import { MemoryLinkCache } from "../domain/links/memory-link-cache.js";
import type { LinkCache } from "../domain/links/ports.js";
import type { RateLimiter } from "../domain/workspaces/ports.js";
import { isClusterWorker } from "../infra/cluster-channel.js";
import { ClusterLinkCache } from "../infra/cluster-link-cache.js";
import { ClusterRateLimiter } from "../infra/cluster-rate-limiter.js";
import { MemoryRateLimiter } from "../infra/memory-rate-limiter.js";
import type { Metrics } from "../infra/metrics.js";
import type { RedisErrorListener } from "../infra/redis.js";
import { RedisLinkCacheBus } from "../infra/redis-link-cache-bus.js";
import { RedisRateLimiter } from "../infra/redis-rate-limiter.js";

const PASSWORD_KEY_PREFIX = "clicktrail:password";
const LOGIN_KEY_PREFIX = "clicktrail:login";

export type SharedState = {
  linkCache: LinkCache;
  rateLimiter: RateLimiter;
  /** Tries of short links' passwords, per link and visitor address. */
  passwordAttempts: RateLimiter;
  /** Failed dashboard sign-ins, per email and per address. */
  loginFailures: FailureLimiter;
  ping: (() => Promise<void>) | undefined;
  /** Opens the connections, last, so that a failure while the services are built leaves none open. */
  connect(): Promise<void>;
  close(): void;
};

/**
 * What every process must agree on: with Redis, rate limits are counted there and link cache invalidations
 * are broadcast through it; workers of one machine without Redis agree through their primary process; a
 * single process keeps both in memory.
 */
export async function sharedState(config: Config, logger: Logger, metrics: Metrics): Promise<SharedState> {
  if (!config.redisUrl && isClusterWorker()) {
    return {
      linkCache: new ClusterLinkCache(new MemoryLinkCache(), () =>
        logger.warn(
          "a link cache invalidation was not acknowledged by every worker in time; they may serve the old link for up to 5 s",
        ),
      ),
      rateLimiter: new ClusterRateLimiter(config.rateLimitPerMinute, () =>
        logger.warn("the primary process did not count a rate limit in time; counted in this worker"),
      ),
      passwordAttempts: new ClusterRateLimiter(
        PASSWORD_ATTEMPTS_PER_MINUTE,
        () => logger.warn("the primary process did not count a password try in time; counted in this worker"),
        PASSWORD_KEY_PREFIX,
      ),
      loginFailures: new ClusterRateLimiter(
        LOGIN_FAILURES,
        () =>
          logger.warn("the primary process did not count a failed sign-in in time; counted in this worker"),
        LOGIN_KEY_PREFIX,
        LOGIN_WINDOW_SECONDS,
      ),
      ping: undefined,
      connect: async () => {},
      close: () => {},
    };
  }
  if (!config.redisUrl) {
    return {
      linkCache: new MemoryLinkCache(),
      rateLimiter: new MemoryRateLimiter(config.rateLimitPerMinute),
      passwordAttempts: new MemoryRateLimiter(PASSWORD_ATTEMPTS_PER_MINUTE),
      loginFailures: new MemoryRateLimiter(LOGIN_FAILURES, LOGIN_WINDOW_SECONDS),
      ping: undefined,
      connect: async () => {},
      close: () => {},
    };
  }
  const onError: RedisErrorListener = (operation, error) => {
    metrics.redisErrors.inc({ operation });
    // Outages are logged once by the connections; a rate limit counted in memory is expected meanwhile.
    if (operation === "connection" || operation === "rate_limit") return;
    logger.warn(
      { err: error, operation },
      "a link cache invalidation did not reach every process; they may serve the old link for up to 5 s",
    );
  };
  // Loaded only with REDIS_URL: a process without Redis never loads its client.
  const { createRedisClients } = await import("../infra/redis.js");
  const redis = createRedisClients(config.redisUrl, logger, onError);
  return {
    linkCache: new RedisLinkCacheBus(new MemoryLinkCache(), redis.commands, redis.subscriber, onError),
    rateLimiter: new RedisRateLimiter(config.rateLimitPerMinute, redis.commands, () => onError("rate_limit")),
    passwordAttempts: new RedisRateLimiter(
      PASSWORD_ATTEMPTS_PER_MINUTE,
      redis.commands,
      () => onError("rate_limit"),
      PASSWORD_KEY_PREFIX,
    ),
    loginFailures: new RedisRateLimiter(
      LOGIN_FAILURES,
      redis.commands,
      () => onError("rate_limit"),
      LOGIN_KEY_PREFIX,
      LOGIN_WINDOW_SECONDS,
    ),
    ping: redis.ping,
    connect: redis.connect,
    close: redis.close,
  };
}
