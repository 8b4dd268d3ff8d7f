// Property-based fuzzing of every operation of the OpenAPI document (GET /api/openapi.json), on a real server over a
// real store (both stores: scripts/run-tests.mjs runs test/fuzz on SQLite and on PostgreSQL).
//
// Requests are shaped by each operation's schemas (ids that exist in this workspace or another, random ones), then
// made hostile: fields replaced by wrong types, NUL bytes, lone surrogates, CR/LF, huge or out-of-range numbers,
// thousands of levels of nesting, long strings, odd dates; keys like __proto__; query strings with repeats, bad
// percent-escapes and invalid UTF-8; odd headers, keys and Content-Types; bodies that are no JSON at all.
// Every answer must hold: no 5xx, no hang, Dub's error envelope with the code of its status, and nothing written
// by a refused request.
//
// Budget: each operation gets a fixed number of runs (about a minute per store in all). A failure prints the seed:
//   CLICKTRAIL_FUZZ_SEED=<seed> node scripts/run-tests.mjs test/fuzz/api      replays it
//   CLICKTRAIL_FUZZ_RUNS=<n>                                                   n runs per operation
//   CLICKTRAIL_FUZZ_SECONDS=<s>                                                s seconds per operation
import { after, describe, test } from "node:test";
import { exchange, fuzz, SEED } from "./support/fuzz.js";
import {
  type Document,
  keepWebhooksLocal,
  type Operation,
  operationRequests,
  operationsOf,
  toRaw,
} from "./support/requests.js";
import { startWorld } from "./support/world.js";

const world = await startWorld();
after(() => world.stop());

const document = (await (await fetch(`${world.server.origin}/api/openapi.json`)).json()) as Document;
/** Deletions last, so the other operations keep finding the ids they draw from. */
const operations: Operation[] = operationsOf(document).sort(
  (a, b) => Number(a.method === "DELETE") - Number(b.method === "DELETE"),
);

const RUNS = 60;

describe(`every operation of the OpenAPI document (seed ${SEED})`, () => {
  for (const operation of operations) {
    test(`${operation.method} /api${operation.path}`, async (t) => {
      const statuses = new Map<number, number>();
      await fuzz(
        "test/fuzz/api",
        operationRequests(operation, world),
        async (spec) => {
          const { response } = await exchange(world, keepWebhooksLocal(toRaw(spec), world), { api: true });
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        },
        RUNS,
      );
      t.diagnostic(
        `statuses: ${[...statuses]
          .sort(([a], [b]) => a - b)
          .map(([status, n]) => `${status}×${n}`)
          .join(" ")}`,
      );
    });
  }
});
