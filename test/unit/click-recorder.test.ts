import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import type { Kysely } from "kysely";
import type { Announcement } from "../../src/domain/announcements.js";
import { ClickRecorder } from "../../src/domain/clicks/click-recorder.js";
import type { Click } from "../../src/domain/clicks/model.js";
import { newClickId } from "../../src/domain/ids.js";
import type { Link } from "../../src/domain/links/model.js";
import type { OutboxEvent } from "../../src/domain/webhooks/model.js";
import { SqlClickStore } from "../../src/store/sql/click-store.js";
import type { Database } from "../../src/store/sql/schema.js";
import { testClick } from "../helpers/clicks.js";
import { storedLink as sqliteLink, storeWithWorkspace } from "../helpers/store-workspace.js";

const HOUR = 3_600_000;

let db: Kysely<Database>;
const workspaceId = "ws_recorder";

let close: () => Promise<void>;

before(async () => {
  ({ db, close } = await storeWithWorkspace(workspaceId));
});
after(() => close?.());

const storedLink = () => sqliteLink(db, workspaceId);

const click = (link: Link, visitor: string, overrides: Partial<Click> = {}): Click =>
  testClick(workspaceId, link, {
    id: newClickId(),
    timestamp: Date.now(),
    identityHash: `hash-${visitor}`,
    ua: "test",
    ...overrides,
  });

/** The real SQLite store, with every recordBatch call logged (and optionally held until released). */
function observedStore() {
  const store = new SqlClickStore(db);
  const batches: Click[][] = [];
  let gate: Promise<void> | null = null;
  const original = store.recordBatch.bind(store);
  store.recordBatch = async (clicks, windowMs, outbox) => {
    batches.push([...clicks]);
    if (gate) await gate;
    return original(clicks, windowMs, outbox);
  };
  const announced: Announcement[] = [];
  return {
    store,
    batches,
    announced,
    announcer: { announce: (announcement: Announcement) => void announced.push(announcement) },
    /** Holds every batch that starts from now on until the returned function is called. */
    hold() {
      let release!: () => void;
      gate = new Promise((resolve) => {
        release = resolve;
      });
      return () => {
        gate = null;
        release();
      };
    },
  };
}

const clickedEvent = (c: Click): OutboxEvent => ({
  workspaceId: c.workspaceId,
  trigger: "link.clicked",
  linkId: c.linkId,
  eventId: `evt_${c.id}`,
  payload: "{}",
  createdAt: c.timestamp,
});

const storedClicks = async (linkId: string) =>
  db.selectFrom("clicks").selectAll().where("link_id", "=", linkId).orderBy("timestamp").execute();

const linkCounters = async (linkId: string) => {
  const row = await db
    .selectFrom("links")
    .select(["clicks", "last_clicked"])
    .where("id", "=", linkId)
    .executeTakeFirstOrThrow();
  return {
    clicks: Number(row.clicks),
    lastClicked: row.last_clicked === null ? null : Number(row.last_clicked),
  };
};

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("ClickRecorder (group commit over the SQLite store)", () => {
  let observed: ReturnType<typeof observedStore>;
  beforeEach(() => {
    observed = observedStore();
  });

  test("many concurrent record() calls are committed in fewer transactions, and all resolve with their ids", async () => {
    const link = await storedLink();
    const recorder = new ClickRecorder(observed.store, HOUR, observed.announcer);
    const clicks = Array.from({ length: 200 }, (_, i) =>
      click(link, `v${i}`, { timestamp: 1_700_000_000_000 + i }),
    );
    const ids = await Promise.all(clicks.map((c) => recorder.record(c)));
    assert.deepEqual(
      ids,
      clicks.map((c) => c.id),
    );
    assert.ok(
      observed.batches.length < clicks.length,
      `${observed.batches.length} batches for ${clicks.length} calls`,
    );
    assert.equal(observed.batches.length, 1, "calls made in one tick share one batch");
    assert.equal(observed.batches.flat().length, clicks.length, "every click went to the store exactly once");
    assert.equal((await storedClicks(link.id)).length, 200);
    assert.deepEqual(await linkCounters(link.id), { clicks: 200, lastClicked: 1_700_000_000_199 });
    assert.deepEqual(observed.announced, [{ type: "clicks.recorded", newClicks: 200, webhooks: 0 }]);
  });

  test("clicks arriving while a batch is written wait for the next one, together", async () => {
    const link = await storedLink();
    const recorder = new ClickRecorder(observed.store, HOUR, observed.announcer);
    const release = observed.hold();
    const first = recorder.record(click(link, "first"));
    await tick();
    assert.equal(observed.batches.length, 1, "the first batch has started");
    const later: Promise<string>[] = [];
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 6; i++) later.push(recorder.record(click(link, `later-${round}-${i}`)));
      await tick();
    }
    assert.equal(observed.batches.length, 1, "nothing else is written while the first batch is open");
    release();
    const ids = await Promise.all([first, ...later]);
    assert.equal(new Set(ids).size, 31);
    assert.deepEqual(
      observed.batches.map((batch) => batch.length),
      [1, 30],
    );
    assert.equal((await linkCounters(link.id)).clicks, 31);
  });

  test("a batch never exceeds maxBatch; the rest follow in order", async () => {
    const link = await storedLink();
    const recorder = new ClickRecorder(observed.store, HOUR, observed.announcer, 10);
    const clicks = Array.from({ length: 35 }, (_, i) => click(link, `m${i}`));
    const ids = await Promise.all(clicks.map((c) => recorder.record(c)));
    assert.deepEqual(
      ids,
      clicks.map((c) => c.id),
    );
    assert.deepEqual(
      observed.batches.map((batch) => batch.length),
      [10, 10, 10, 5],
    );
    assert.deepEqual(
      observed.batches.flat().map((c) => c.id),
      clicks.map((c) => c.id),
    );
    assert.equal((await storedClicks(link.id)).length, 35);
    assert.equal((await linkCounters(link.id)).clicks, 35);
  });

  test("duplicates of one visitor in one batch get the first click's id and are stored and counted once", async () => {
    const link = await storedLink();
    const recorder = new ClickRecorder(observed.store, HOUR, observed.announcer);
    const a1 = click(link, "a");
    const a2 = click(link, "a");
    const b = click(link, "b");
    const a3 = click(link, "a");
    const ids = await Promise.all([a1, a2, b, a3].map((c) => recorder.record(c, clickedEvent(c))));
    assert.equal(observed.batches.length, 1);
    assert.deepEqual(ids, [a1.id, a1.id, b.id, a1.id]);
    const rows = await storedClicks(link.id);
    assert.deepEqual(rows.map((row) => row.id).sort(), [a1.id, b.id].sort());
    assert.equal((await linkCounters(link.id)).clicks, 2);
    assert.deepEqual(
      observed.announced,
      [{ type: "clicks.recorded", newClicks: 2, webhooks: 2 }],
      "only the new clicks' webhook events are queued",
    );
  });

  test("a visitor is deduplicated against earlier batches within the window, and not after it", async () => {
    const link = await storedLink();
    const recorder = new ClickRecorder(observed.store, HOUR, observed.announcer);
    const now = Date.now();
    const old = await recorder.record(click(link, "v", { timestamp: now - 2 * HOUR }));
    const fresh = click(link, "v", { timestamp: now });
    assert.equal(await recorder.record(fresh), fresh.id, "two hours later is a new click");
    assert.notEqual(fresh.id, old);
    const repeat = click(link, "v", { timestamp: now + 1000 });
    assert.equal(await recorder.record(repeat), fresh.id, "within the hour it is the same click");
    assert.equal(observed.batches.length, 3);
    assert.equal((await storedClicks(link.id)).length, 2);
    assert.deepEqual(await linkCounters(link.id), { clicks: 2, lastClicked: now });
  });

  test("the same visitor on two links is two clicks", async () => {
    const [one, two] = [await storedLink(), await storedLink()];
    const recorder = new ClickRecorder(observed.store, HOUR, observed.announcer);
    const ids = await Promise.all([recorder.record(click(one, "same")), recorder.record(click(two, "same"))]);
    assert.notEqual(ids[0], ids[1]);
    assert.equal((await linkCounters(one.id)).clicks, 1);
    assert.equal((await linkCounters(two.id)).clicks, 1);
  });

  test("a dedupe window of 0 records every click", async () => {
    const link = await storedLink();
    const recorder = new ClickRecorder(observed.store, 0, observed.announcer);
    const clicks = [click(link, "x"), click(link, "x"), click(link, "x")];
    const ids = await Promise.all(clicks.map((c) => recorder.record(c)));
    assert.deepEqual(
      ids,
      clicks.map((c) => c.id),
    );
    assert.equal(await recorder.record(click(link, "x")).then((id) => typeof id), "string");
    assert.equal((await linkCounters(link.id)).clicks, 4);
  });

  test("drain() commits everything pending, including clicks queued behind an open batch", async () => {
    const link = await storedLink();
    const recorder = new ClickRecorder(observed.store, HOUR, observed.announcer, 7);
    const settled: string[] = [];
    const record = (c: Click) => recorder.record(c).then((id) => settled.push(id));
    const release = observed.hold();
    const first = Array.from({ length: 3 }, (_, i) => record(click(link, `d-first-${i}`)));
    await tick();
    const queued = Array.from({ length: 20 }, (_, i) => record(click(link, `d-queued-${i}`)));
    const drained = recorder.drain();
    release();
    await drained;
    assert.equal(settled.length, 23, "every promise resolved before drain() returned");
    assert.equal((await storedClicks(link.id)).length, 23);
    assert.equal((await linkCounters(link.id)).clicks, 23);
    assert.ok(observed.batches.every((batch) => batch.length <= 7));
    await Promise.all([...first, ...queued]);
  });

  test("drain() called in the same tick as record() commits the click without waiting for the scheduler", async () => {
    const link = await storedLink();
    const recorder = new ClickRecorder(observed.store, HOUR, observed.announcer);
    let resolved = false;
    const pending = recorder.record(click(link, "same-tick")).then(() => {
      resolved = true;
    });
    await recorder.drain();
    assert.equal((await storedClicks(link.id)).length, 1);
    await pending;
    assert.equal(resolved, true);
    await recorder.drain(); // idle: returns at once
  });

  test("a batch that fails rejects its own promises, leaves no partial writes, and later clicks still commit", async () => {
    const link = await storedLink();
    const recorder = new ClickRecorder(observed.store, HOUR, observed.announcer);
    const existing = click(link, "existing");
    await recorder.record(existing);
    // a second row with the same primary key makes the whole transaction fail
    const doomed = [click(link, "p"), click(link, "q", { id: existing.id }), click(link, "r")];
    const results = await Promise.allSettled(doomed.map((c) => recorder.record(c)));
    assert.deepEqual(
      results.map((result) => result.status),
      ["rejected", "rejected", "rejected"],
    );
    assert.equal((await storedClicks(link.id)).length, 1, "the failed batch was rolled back as a whole");
    assert.equal((await linkCounters(link.id)).clicks, 1);
    const after = click(link, "after");
    assert.equal(await recorder.record(after), after.id);
    assert.equal((await linkCounters(link.id)).clicks, 2);
  });
});
