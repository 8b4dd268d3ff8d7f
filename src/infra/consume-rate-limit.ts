import { type RateLimiterAbstract, RateLimiterRes } from "rate-limiter-flexible";
import type { RateLimitResult } from "../domain/workspaces/ports.js";

/** Takes one point for `subject`; a refusal is a result, not an error. */
export async function consumeRateLimit(
  limiter: RateLimiterAbstract,
  limit: number,
  subject: string,
): Promise<RateLimitResult> {
  try {
    return toResult(await limiter.consume(subject), limit, true);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return toResult(rejection, limit, false);
    throw rejection;
  }
}

/** The state of `subject`'s window without taking a point. */
export async function peekRateLimit(
  limiter: RateLimiterAbstract,
  limit: number,
  subject: string,
): Promise<RateLimitResult> {
  const res = await limiter.get(subject);
  if (!res) return { allowed: true, limit, remaining: limit, resetAt: Date.now() };
  return toResult(res, limit, res.remainingPoints > 0);
}

function toResult(res: RateLimiterRes, limit: number, allowed: boolean): RateLimitResult {
  return {
    allowed,
    limit,
    remaining: Math.max(0, res.remainingPoints),
    resetAt: Date.now() + res.msBeforeNext,
  };
}
