// Property-based fuzzing of every operation of the OpenAPI document (GET /api/openapi.json), on a real server over a
// real store (both stores: scripts/run-tests.mjs runs test/fuzz on SQLite and on PostgreSQL).
//
// Requests are shaped by each operation's schemas (ids that exist in this workspace or another, random ones), then
// made hostile: fields replaced by wrong types, NUL bytes, lone surrogates, CR/LF, huge or out-of-range numbers,
// thousands of levels of nesting, long strings, odd dates; keys like __proto__; query strings with repeats, bad
// percent-escapes and invalid UTF-8; odd headers, keys and Content-Types; bodies that are no JSON at all.
// Every answer must hold: no 5xx, no hang, Dub's error envelope with the code of its status, nothing written by a
// refused request, no id of another workspace in a success, no field accepted beyond any length limit.
//
// Budget: 60 runs per operation (about 25 s on SQLite, 45 s on PostgreSQL for all of test/fuzz). Each run has one
// random seed, which a failure prints; the environment changes that:
//   CLICKTRAIL_FUZZ_SEED=<seed> node scripts/run-tests.mjs test/fuzz     replays a run
//   CLICKTRAIL_FUZZ_RUNS=<n>                                              n runs per property
//   CLICKTRAIL_FUZZ_SECONDS=<s>                                           s seconds per property (a long run)
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { exchange, fuzz, SEED } from "./support/fuzz.js";
import { percentEncode } from "./support/hostile.js";
import { unboundedFields } from "./support/oracle.js";
import {
  type Document,
  keepMetatagsLocal,
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

const parsed = (body: Buffer): unknown => {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
};

describe(`every operation of the OpenAPI document (seed ${SEED})`, () => {
  for (const operation of operations) {
    test(`${operation.method} /api${operation.path}`, async (t) => {
      const statuses = new Map<number, number>();
      await fuzz(
        "test/fuzz/api",
        operationRequests(operation, world),
        async (spec) => {
          const { request, response } = await exchange(
            world,
            keepMetatagsLocal(keepWebhooksLocal(toRaw(spec), world), world),
            {
              api: true,
            },
          );
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          if (response.status >= 300) return;
          // Their own key sees their own data, of course.
          const theirKey = spec.headers.some(([, value]) => value.includes(world.keys.other));
          // A bulk item refused in its place (Dub's LinkError) is a refusal like a 4xx, which echoes what was sent.
          const answered = withoutRefusedItems(response.text);
          const leaked = theirKey ? [] : world.ids.theirs.filter((id) => answered.includes(id));
          const where = leaked.map((id) => {
            const at = answered.indexOf(id);
            return answered.slice(Math.max(0, at - 300), at + id.length + 100);
          });
          assert.deepEqual(
            leaked,
            [],
            `another workspace's ids in an answer to ${spec.method} ${spec.target}: …${where.join("…")}…`,
          );
          if (!request.body || !operation.body?.properties) return;
          const unbounded = unboundedFields(parsed(request.body), Object.keys(operation.body.properties));
          assert.deepEqual(
            unbounded,
            [],
            `${spec.method} ${spec.target} accepted a field longer than any limit: the field has none`,
          );
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

/** An answer's text without the items of an array that are Dub's LinkError (`{link, error, code}`). */
function withoutRefusedItems(text: string): string {
  const body = parsed(Buffer.from(text));
  if (!Array.isArray(body)) return text;
  const isRefusal = (item: unknown) =>
    typeof item === "object" && item !== null && "error" in item && "code" in item && !("id" in item);
  return JSON.stringify(body.filter((item) => !isRefusal(item)));
}

/** Instants no calendar of ours holds (years before 1 or after 9999), and numbers Date.parse reads as years. */
const NO_DATES = [
  "-271821-04-20",
  "-271821-04-20T00:00:00.000Z",
  "+275760-09-13T00:00:00.000Z",
  "-000001-01-01T00:00:00Z",
  "+010000-01-01T00:00:00Z",
  "99999",
  "1",
  "0",
  "-1",
  "99",
];

describe("dates", () => {
  type Place = (date: string) => { method: string; target: string; body?: Buffer };
  const query =
    (path: string, name: string): Place =>
    (date) => ({
      method: "GET",
      target: `${path}${path.includes("?") ? "&" : "?"}${name}=${percentEncode(date)}`,
    });
  const body =
    (method: string, target: string, fields: Record<string, unknown>): Place =>
    (date) => ({
      method,
      target,
      body: Buffer.from(JSON.stringify({ ...fields, expiresAt: date })),
    });
  const PLACES: Record<string, Place> = {
    "analytics start": query("/api/analytics?groupBy=timeseries", "start"),
    "analytics end": query("/api/analytics?groupBy=timeseries", "end"),
    "analytics export start": query("/api/analytics/export?groupBy=timeseries", "start"),
    "events start": query("/api/events", "start"),
    "events end": query("/api/events", "end"),
    "events export start": query("/api/events/export", "start"),
    "a new link's expiresAt": body("POST", "/api/links", { url: "https://shop.example.com/dated" }),
    "an upsert's expiresAt": body("PUT", "/api/links/upsert", {
      url: "https://shop.example.com/dated-upsert",
    }),
    "a link update's expiresAt": body("PATCH", `/api/links/${world.ids.links[1]}`, {}),
  };

  for (const [place, request] of Object.entries(PLACES)) {
    test(`out of range or no date at all, as ${place}: refused (400 or 422)`, async () => {
      const accepted: string[] = [];
      for (const date of NO_DATES) {
        const { method, target, body } = request(date);
        const { response } = await exchange(
          world,
          {
            method,
            target,
            headers: [
              ["authorization", `Bearer ${world.keys.main}`],
              ["content-type", "application/json"],
            ],
            body,
          },
          { api: true },
        );
        if (![400, 422].includes(response.status)) accepted.push(`${date} → ${response.status}`);
      }
      assert.deepEqual(accepted, [], `dates accepted as ${place}`);
    });
  }
});
