import fc from "fast-check";
import { describeExchange, violations } from "./oracle.js";
import { Hang, type RawRequest, type RawResponse, sendRaw } from "./raw-http.js";
import type { World } from "./world.js";

/**
 * The budget, from the environment (documented in the README's Development section):
 * - CLICKTRAIL_FUZZ_SEED: the seed of every property of the run (printed on failure); random when unset.
 * - CLICKTRAIL_FUZZ_RUNS: runs per property instead of each property's default.
 * - CLICKTRAIL_FUZZ_SECONDS: run each property for this long instead (a long, soak-style run).
 */
const env = process.env;
export const SEED = env.CLICKTRAIL_FUZZ_SEED
  ? Number(env.CLICKTRAIL_FUZZ_SEED)
  : (Math.random() * 2 ** 31) | 0;
const RUNS = env.CLICKTRAIL_FUZZ_RUNS ? Number(env.CLICKTRAIL_FUZZ_RUNS) : undefined;
const SECONDS = env.CLICKTRAIL_FUZZ_SECONDS ? Number(env.CLICKTRAIL_FUZZ_SECONDS) : undefined;
for (const [name, value] of [
  ["CLICKTRAIL_FUZZ_SEED", SEED],
  ["CLICKTRAIL_FUZZ_RUNS", RUNS],
  ["CLICKTRAIL_FUZZ_SECONDS", SECONDS],
] as const) {
  if (value !== undefined && !Number.isInteger(value)) throw new Error(`${name} must be an integer`);
}

/** A request that takes longer than this is a hang. Generous: the machine is shared and some bodies are 2 MB. */
export const REQUEST_TIMEOUT_MS = 15_000;

/**
 * Checks `property` on generated values with the run's seed: `runs` of them, or as many as fit in
 * CLICKTRAIL_FUZZ_SECONDS. A failure names the seed and the store, which replays it.
 */
export async function fuzz<T>(
  file: string,
  arbitrary: fc.Arbitrary<T>,
  property: (value: T) => Promise<void>,
  runs: number,
): Promise<void> {
  const params: fc.Parameters<[T]> = SECONDS
    ? {
        seed: SEED,
        numRuns: Number.MAX_SAFE_INTEGER,
        interruptAfterTimeLimit: SECONDS * 1000,
        markInterruptAsFailure: false,
      }
    : { seed: SEED, numRuns: RUNS ?? runs };
  try {
    await fc.assert(fc.asyncProperty(arbitrary, boundShrinking(property)), params);
  } catch (error) {
    const store = env.CLICKTRAIL_TEST_STORE === "postgres" ? "postgres" : "sqlite";
    const cause = (error as Error).cause;
    if (cause instanceof Error) (error as Error).message += `\n\n${cause.message}`;
    (error as Error).message +=
      `\n\nReplay: CLICKTRAIL_FUZZ_SEED=${SEED} node scripts/run-tests.mjs ${file} (failed on ${store})`;
    throw error;
  }
}

/** Shrinking tries at most this many smaller values, for at most this long: each is a request, some take seconds. */
const SHRINK_TRIES = 40;
const SHRINK_MS = 20_000;

/**
 * After the first failure, runs `property` on at most SHRINK_TRIES candidates (SHRINK_MS in all) and lets the rest
 * pass untried, which ends the shrinking with the smallest failure found so far: a broken build fails in seconds,
 * not in minutes of shrinking.
 */
function boundShrinking<T>(property: (value: T) => Promise<void>): (value: T) => Promise<void> {
  let failedAt: number | undefined;
  let tries = 0;
  return async (value) => {
    if (failedAt !== undefined) {
      if (tries >= SHRINK_TRIES || Date.now() - failedAt > SHRINK_MS) return;
      tries += 1;
    }
    try {
      await property(value);
    } catch (error) {
      failedAt ??= Date.now();
      throw error;
    }
  };
}

export type Exchange = { request: RawRequest; response: RawResponse };

/**
 * Sends `request` and checks what every answer must be: no 5xx, no hang, Dub's error envelope on the API, and
 * nothing written when the request was refused (or could not write: GET, HEAD, OPTIONS).
 */
export async function exchange(
  world: World,
  request: RawRequest,
  options: {
    /** Under /api: errors must be Dub's envelope. */
    api: boolean;
    /** Whether this answer may have written (default: a 2xx or 3xx to anything but GET, HEAD, OPTIONS). */
    writes?: (response: RawResponse) => boolean;
    /** Send the headers as they are, without adding a Host header when there is none. */
    asIs?: boolean;
  },
): Promise<Exchange> {
  if (!options.asIs && !request.headers.some(([name]) => name.toLowerCase() === "host")) {
    request = { ...request, headers: [["host", world.server.host], ...request.headers] };
  }
  const before = await world.fingerprint();
  let response: RawResponse;
  try {
    response = await sendRaw(world.address, request, REQUEST_TIMEOUT_MS);
  } catch (error) {
    const what = error instanceof Hang ? "hung" : `failed (${(error as Error).message})`;
    throw new Error(`the request ${what}:\n${describeExchange(request, undefined)}`);
  }
  const found = violations(request, response, options.api);
  const mayWrite =
    options.writes ??
    ((answer) => answer.status < 400 && !["GET", "HEAD", "OPTIONS"].includes(request.method));
  if (!mayWrite(response)) {
    const after = await world.fingerprint();
    if (after !== before)
      found.push(
        `wrote to the database though it ${response.status < 400 ? "may not" : "was refused"}:\n  before ${before}\n  after  ${after}`,
      );
  }
  if (found.length > 0) throw new Error(`${found.join("\n")}\n${describeExchange(request, response)}`);
  return { request, response };
}
