// Migration 0101_domain_settings on a database installed before it (SQLite, or PostgreSQL with
// CLICKTRAIL_TEST_STORE=postgres): a domain claimed earlier gets an id and empty settings, and is served by the
// domain store; on PostgreSQL a server of the previous version, still inserting domains without an id while a
// scale-out install upgrades, gets one made for it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type Kysely, sql } from "kysely";
import { migrateToLatest } from "../../src/store/migrations/index.js";
import { SqlDomainStore } from "../../src/store/sql/domain-store.js";
import type { Database } from "../../src/store/sql/schema.js";
import {
  emptyDatabase,
  engine,
  legacyMigrations,
  productionMigrations,
} from "../helpers/migration-database.js";

const createdAt = Date.UTC(2026, 0, 2, 3, 4, 5);
let db: Kysely<Database>;
let close: () => Promise<void>;

/** What a server of the previous version writes when a link claims a domain. */
const claimAsBefore = (slug: string) =>
  sql`INSERT INTO domains (slug, workspace_id, created_at) VALUES (${slug}, 'ws_installed', ${createdAt})`.execute(
    db,
  );

before(async () => {
  ({ db, close } = await emptyDatabase());
  await migrateToLatest(db, legacyMigrations);
  // Raw SQL: today's store writes columns (the workspace slug) that this older schema does not have yet.
  await sql`INSERT INTO workspaces (id, name, created_at) VALUES ('ws_installed', 'Installed before domain settings', ${createdAt})`.execute(
    db,
  );
  await claimAsBefore("go.installed.test");
  await claimAsBefore("b.installed.test");
  await migrateToLatest(db, productionMigrations);
});
after(() => close());

test("a domain claimed before the migration has an id, no settings, and its creation time as last change", async () => {
  const domain = await new SqlDomainStore(db).find("ws_installed", "go.installed.test");
  assert.ok(domain, "still there");
  assert.match(domain.id, /^dom_[0-9A-Z]{26}$/);
  assert.deepEqual(
    { ...domain, id: "" },
    {
      id: "",
      slug: "go.installed.test",
      workspaceId: "ws_installed",
      placeholder: null,
      expiredUrl: null,
      notFoundUrl: null,
      logo: null,
      archived: false,
      createdAt,
      updatedAt: createdAt,
    },
  );
  const other = await new SqlDomainStore(db).find("ws_installed", "b.installed.test");
  assert.notEqual(other?.id, domain.id, "each domain its own id");
});

test("on PostgreSQL, a domain inserted the previous version's way gets an id too", {
  skip: engine !== "postgres",
}, async () => {
  await claimAsBefore("during-upgrade.installed.test");
  const domain = await new SqlDomainStore(db).find("ws_installed", "during-upgrade.installed.test");
  assert.match(domain?.id ?? "", /^dom_[0-9A-Z]{26}$/);
  assert.equal(domain?.archived, false);
});
