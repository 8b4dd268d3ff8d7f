import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { RateLimiter, RateLimitResult } from "../domain/workspaces/ports.js";

/** Fixed one-minute window per key, in this process's memory. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly limiter: RateLimiterMemory;

  constructor(readonly limit: number) {
    this.limiter = new RateLimiterMemory({ points: limit, duration: 60 });
  }

  async consume(subject: string): Promise<RateLimitResult> {
    try {
      return this.toResult(await this.limiter.consume(subject), true);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return this.toResult(rejection, false);
      throw rejection;
    }
  }

  private toResult(res: RateLimiterRes, allowed: boolean): RateLimitResult {
    return {
      allowed,
      limit: this.limit,
      remaining: Math.max(0, res.remainingPoints),
      resetAt: Date.now() + res.msBeforeNext,
    };
  }
}
