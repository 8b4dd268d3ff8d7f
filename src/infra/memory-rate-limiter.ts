import { RateLimiterMemory } from "rate-limiter-flexible";
import type { RateLimiter, RateLimitResult } from "../domain/workspaces/ports.js";
import { consumeRateLimit } from "./consume-rate-limit.js";

/** Fixed one-minute window per key, in this process's memory. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly limiter: RateLimiterMemory;

  constructor(readonly limit: number) {
    this.limiter = new RateLimiterMemory({ points: limit, duration: 60 });
  }

  consume(subject: string): Promise<RateLimitResult> {
    return consumeRateLimit(this.limiter, this.limit, subject);
  }
}
