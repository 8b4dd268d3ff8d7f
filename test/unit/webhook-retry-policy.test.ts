import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadConfig } from "../../src/config.js";
import {
  DEFAULT_RETRY_POLICY,
  isRetryable,
  nextDelayMs,
  type RetryPolicy,
} from "../../src/domain/webhooks/retry-policy.js";

const policy: RetryPolicy = { maxAttempts: 8, baseDelayMs: 1_000, maxDelayMs: 60_000 };

describe("nextDelayMs", () => {
  test("without jitter (random 0.5) it is base × 3^(attempts made − 1)", () => {
    assert.deepEqual(
      [1, 2, 3, 4].map((attempts) => nextDelayMs(policy, attempts, 0.5)),
      [1_000, 3_000, 9_000, 27_000],
    );
  });

  test("is capped at maxDelayMs (before jitter)", () => {
    assert.equal(nextDelayMs(policy, 5, 0.5), 60_000, "81 s capped to 60 s");
    assert.equal(nextDelayMs(policy, 30, 0.5), 60_000, "no overflow for many attempts");
    assert.ok(Number.isFinite(nextDelayMs(policy, 1_000, 0.5)));
  });

  test("jitter stays within ±20 %", () => {
    for (const attempts of [1, 2, 3, 6]) {
      const plain = Math.min(policy.maxDelayMs, policy.baseDelayMs * 3 ** (attempts - 1));
      assert.equal(nextDelayMs(policy, attempts, 0), Math.round(plain * 0.8), `lowest for ${attempts}`);
      assert.equal(
        nextDelayMs(policy, attempts, 0.999999),
        Math.round(plain * 1.2),
        `highest for ${attempts}`,
      );
      for (let i = 0; i < 200; i++) {
        const delay = nextDelayMs(policy, attempts);
        assert.ok(delay >= plain * 0.8 && delay <= plain * 1.2, `${delay} within ±20 % of ${plain}`);
      }
    }
  });

  test("the default policy spreads eight attempts over about a day", () => {
    assert.equal(DEFAULT_RETRY_POLICY.maxAttempts, 8);
    const waits = Array.from({ length: DEFAULT_RETRY_POLICY.maxAttempts - 1 }, (_, i) =>
      nextDelayMs(DEFAULT_RETRY_POLICY, i + 1, 0.5),
    );
    assert.equal(waits[0], 60_000);
    assert.ok(
      waits.every((wait, i) => i === 0 || wait > waits[i - 1]),
      "each wait is longer",
    );
    const total = waits.reduce((sum, wait) => sum + wait, 0);
    assert.ok(total > 12 * 3_600_000 && total < 36 * 3_600_000, `${total / 3_600_000} h in all`);
  });

  test("the configuration's defaults: 8 attempts, 1 min base, 10 s timeout, disabled after 20 failed events", () => {
    const config = loadConfig({});
    assert.equal(config.webhookMaxAttempts, DEFAULT_RETRY_POLICY.maxAttempts);
    assert.equal(config.webhookRetryBaseMs, DEFAULT_RETRY_POLICY.baseDelayMs);
    assert.equal(config.webhookTimeoutMs, 10_000);
    assert.equal(config.webhookDisableAfter, 20);
    assert.equal(config.webhookAllowPrivate, false);
  });
});

describe("isRetryable", () => {
  test("network errors and timeouts (no status), 408, 429 and 5xx are retried", () => {
    for (const status of [null, 408, 429, 500, 502, 503, 504, 599])
      assert.equal(isRetryable(status), true, `${status}`);
  });

  test("other answers are final", () => {
    for (const status of [200, 204, 301, 302, 400, 401, 403, 404, 409, 410, 413, 422]) {
      assert.equal(isRetryable(status), false, `${status}`);
    }
  });
});
