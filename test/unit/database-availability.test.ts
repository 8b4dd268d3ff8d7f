import assert from "node:assert/strict";
import { describe, test } from "node:test";
import pino from "pino";
import { DatabaseAvailability } from "../../src/infra/database-availability.js";
import { isDatabaseUnavailable } from "../../src/store/unavailable.js";

const silent = pino({ level: "silent" });
const coded = (code: string, message = "") => Object.assign(new Error(message), { code });

describe("isDatabaseUnavailable", () => {
  test("knows the engines' outage errors", () => {
    for (const error of [
      coded("SQLITE_FULL", "database or disk is full"),
      coded("SQLITE_IOERR_WRITE"),
      coded("SQLITE_READONLY_DBMOVED"),
      coded("SQLITE_BUSY"),
      coded("57P01", "terminating connection due to administrator command"),
      coded("57P03", "the database system is starting up"),
      coded("08006"),
      coded("53100", "could not extend file: No space left on device"),
      coded("ECONNREFUSED"),
      new Error("Connection terminated unexpectedly"),
      new Error("Client has encountered a connection error and is not queryable"),
      new Error("timeout exceeded when trying to connect"),
      new AggregateError([coded("ECONNREFUSED"), coded("ECONNREFUSED")]),
    ]) {
      assert.equal(
        isDatabaseUnavailable(error),
        true,
        `${(error as { code?: string }).code} ${error.message}`,
      );
    }
  });

  test("leaves bugs and bad data alone: they stay 500s or client errors", () => {
    for (const error of [
      coded("SQLITE_CONSTRAINT_UNIQUE"),
      coded("SQLITE_CORRUPT"),
      coded("SQLITE_ERROR", "no such table: links"),
      coded("23505", "duplicate key value"),
      coded("22021", "invalid byte sequence for encoding"),
      coded("42P01", "relation does not exist"),
      new TypeError("Cannot read properties of undefined"),
      new AggregateError([coded("ECONNREFUSED"), new Error("other")]),
      "a string",
      null,
    ]) {
      assert.equal(isDatabaseUnavailable(error), false, String(error));
    }
  });
});

describe("DatabaseAvailability", () => {
  function setUp(probe: () => Promise<void> = async () => {}) {
    const clock = { now: 1_000_000 };
    let probes = 0;
    const availability = new DatabaseAvailability(
      () => {
        probes++;
        return probe();
      },
      silent,
      () => clock.now,
    );
    return { availability, clock, probes: () => probes };
  }

  test("readiness polls share one write probe a second", async () => {
    const { availability, clock, probes } = setUp();
    const answers = await Promise.all(Array.from({ length: 50 }, () => availability.isAvailable()));
    assert.deepEqual(new Set(answers), new Set([true]));
    assert.equal(probes(), 1);
    clock.now += 999;
    await availability.isAvailable();
    assert.equal(probes(), 1);
    clock.now += 1;
    await availability.isAvailable();
    assert.equal(probes(), 2);
  });

  test("a probe that hangs is shared until it ends, not started again each second", async () => {
    let finish = () => {};
    const { availability, clock, probes } = setUp(() => new Promise<void>((resolve) => (finish = resolve)));
    const first = availability.isAvailable();
    clock.now += 5_000;
    const second = availability.isAvailable();
    assert.equal(probes(), 1);
    finish();
    assert.deepEqual(await Promise.all([first, second]), [true, true]);
  });

  test("a request that met an unavailable database makes it unready for a few seconds, though the probe passes", async () => {
    const { availability, clock } = setUp();
    assert.equal(availability.failedWith(coded("SQLITE_FULL")), true);
    assert.equal(await availability.isAvailable(), false);
    clock.now += 5_001;
    assert.equal(await availability.isAvailable(), true);
  });

  test("other errors are not outages", async () => {
    const { availability } = setUp();
    assert.equal(availability.failedWith(coded("SQLITE_CONSTRAINT_UNIQUE")), false);
    assert.equal(await availability.isAvailable(), true);
  });

  test("a failing probe is unready", async () => {
    const { availability } = setUp(async () => {
      throw coded("ECONNREFUSED");
    });
    assert.equal(await availability.isAvailable(), false);
  });
});
