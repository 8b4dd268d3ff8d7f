import { RateLimiterMemory } from "rate-limiter-flexible";
import type { RateLimiter, RateLimitResult } from "../domain/workspaces/ports.js";
import { consumeRateLimit, peekRateLimit } from "./consume-rate-limit.js";

/** Fixed window per key (one minute unless told), in this process's memory. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly limiter: RateLimiterMemory;

  constructor(
    readonly limit: number,
    windowSeconds = 60,
  ) {
    this.limiter = new RateLimiterMemory({ points: limit, duration: windowSeconds });
  }

  consume(subject: string): Promise<RateLimitResult> {
    return consumeRateLimit(this.limiter, this.limit, subject);
  }

  peek(subject: string): Promise<RateLimitResult> {
    return peekRateLimit(this.limiter, this.limit, subject);
  }
}
