export type RetryPolicy = { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };

/** About a day: 1 min, 3, 9, 27 min, 1.4 h, 4 h, 12 h between eight attempts (before jitter). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 60_000,
  maxDelayMs: 12 * 3_600_000,
};

/** Exponential (×3) with ±20 % jitter so that a receiver coming back is not hit by every retry at once. */
export function nextDelayMs(policy: RetryPolicy, attemptsMade: number, random = Math.random()): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 3 ** (attemptsMade - 1));
  return Math.round(exponential * (0.8 + 0.4 * random));
}

/** Network errors, timeouts, 408, 429 and 5xx may pass on a later try; other answers will not. */
export const isRetryable = (statusCode: number | null) =>
  statusCode === null || statusCode === 408 || statusCode === 429 || statusCode >= 500;
