import { RateLimiterCluster, RateLimiterClusterMaster, RateLimiterMemory } from "rate-limiter-flexible";
import type { RateLimiter, RateLimitResult } from "../domain/workspaces/ports.js";
import { consumeRateLimit, peekRateLimit } from "./consume-rate-limit.js";

const WINDOW_SECONDS = 60;
const KEY_PREFIX = "clicktrail:rate";

/**
 * Fixed one-minute window per key, counted by the primary process for every worker (`WORKERS=N` without
 * Redis), so N workers share one budget. If the primary does not answer, this worker counts alone.
 */
export class ClusterRateLimiter implements RateLimiter {
  private readonly shared: RateLimiterCluster;
  private readonly fallback: RateLimiterMemory;

  constructor(
    readonly limit: number,
    private readonly onFallback: () => void = () => {},
    /** One per limit: the primary keeps one set of counters for each prefix, with the first limit it was told. */
    keyPrefix = KEY_PREFIX,
    windowSeconds = WINDOW_SECONDS,
  ) {
    this.shared = new RateLimiterCluster({
      keyPrefix,
      points: limit,
      duration: windowSeconds,
      timeoutMs: 1_000,
    });
    this.fallback = new RateLimiterMemory({ points: limit, duration: windowSeconds });
  }

  async consume(subject: string): Promise<RateLimitResult> {
    try {
      return await consumeRateLimit(this.shared, this.limit, subject);
    } catch {
      this.onFallback();
      return consumeRateLimit(this.fallback, this.limit, subject);
    }
  }

  async peek(subject: string): Promise<RateLimitResult> {
    try {
      return await peekRateLimit(this.shared, this.limit, subject);
    } catch {
      this.onFallback();
      return peekRateLimit(this.fallback, this.limit, subject);
    }
  }
}

/** The primary's half: holds the counters the workers' limiters consume. */
export const serveClusterRateLimits = () => new RateLimiterClusterMaster();
