import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterRes } from "rate-limiter-flexible";
import type { RateLimiter, RateLimitResult } from "../domain/workspaces/ports.js";
import { consumeRateLimit, peekRateLimit } from "./consume-rate-limit.js";

const WINDOW_SECONDS = 60;

/**
 * Fixed one-minute window per key, counted in Redis so that every process shares one budget. When Redis
 * cannot answer, each process falls back to its own in-memory window of the same size, so requests are still
 * limited (per process) and never fail because of Redis.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly limiter: RateLimiterRedis;

  constructor(
    readonly limit: number,
    client: Redis,
    onFallback: () => void = () => {},
    keyPrefix = "clicktrail:rate",
    windowSeconds = WINDOW_SECONDS,
  ) {
    this.limiter = new RateLimiterRedis({
      storeClient: client,
      keyPrefix,
      points: limit,
      duration: windowSeconds,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new FallbackLimiter(limit, onFallback, windowSeconds),
    });
  }

  consume(subject: string): Promise<RateLimitResult> {
    return consumeRateLimit(this.limiter, this.limit, subject);
  }

  peek(subject: string): Promise<RateLimitResult> {
    return peekRateLimit(this.limiter, this.limit, subject);
  }
}

/** The insurance limiter is only consulted when Redis failed, which is what `onUse` reports. */
class FallbackLimiter extends RateLimiterMemory {
  constructor(
    points: number,
    private readonly onUse: () => void,
    duration: number,
  ) {
    super({ points, duration });
  }

  override consume(
    key: string | number,
    points?: number,
    options?: { [key: string]: unknown },
  ): Promise<RateLimiterRes> {
    this.onUse();
    return super.consume(key, points, options);
  }
}
