// The names in kysely_migration are what installed databases know: the legacy histories keep theirs, and a shared
// migration is refused unless its name sorts after both of them.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { postgresMigrations, sqliteMigrations } from "../../src/store/migrations/index.js";
import { legacyPostgresMigrations } from "../../src/store/migrations/legacy/postgres/index.js";
import { legacySqliteMigrations } from "../../src/store/migrations/legacy/sqlite/index.js";
import {
  MigrationListError,
  migrationsFor,
  type SharedMigration,
} from "../../src/store/migrations/shared-migration.js";

const noop: SharedMigration = { up: async () => {} };

describe("migration lists", () => {
  test("installed databases find every legacy name they recorded, first and unchanged", () => {
    assert.deepEqual(Object.keys(sqliteMigrations).slice(0, 5), [
      "0001_initial",
      "0002_conversions",
      "0003_webhooks",
      "0004_rollups",
      "0005_domains",
    ]);
    assert.deepEqual(Object.keys(postgresMigrations).slice(0, 4), [
      "0001_initial",
      "0002_webhooks",
      "0003_rollups",
      "0004_domains",
    ]);
  });

  test("shared migrations follow both legacy histories, in kysely's order", () => {
    const shared = { "0101_second": noop, "0100_first": noop };
    for (const legacy of [legacySqliteMigrations, legacyPostgresMigrations]) {
      const names = Object.keys(migrationsFor("sqlite", legacy, shared));
      assert.deepEqual(names, [...Object.keys(legacy), "0100_first", "0101_second"]);
      assert.deepEqual(names, [...names].sort());
    }
  });

  for (const name of [
    "0006_next",
    "0099_last_gap",
    "100_short",
    "0100-dash",
    "0100_Upper",
    "0100_",
    "v0100_x",
  ]) {
    test(`refuses the shared name ${name}`, () => {
      assert.throws(
        () => migrationsFor("postgres", legacySqliteMigrations, { [name]: noop }),
        (error) =>
          error instanceof MigrationListError && /from 0100 on.*after 0005_domains/.test(error.message),
      );
    });
  }

  test("refuses two shared migrations with one number (two branches took the same next number)", () => {
    assert.throws(
      () =>
        migrationsFor("sqlite", legacySqliteMigrations, { "0102_links_archive": noop, "0102_tags": noop }),
      /0102_links_archive and 0102_tags have the same number/,
    );
  });
});
