// Migration 0106_accounts on a database installed before it (SQLite, or PostgreSQL with
// CLICKTRAIL_TEST_STORE=postgres): an existing workspace gets its first owner and members through the account
// store; an email is unique whatever its case, at the database itself; memberships need a real workspace and user.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type Kysely, sql } from "kysely";
import { AccountService } from "../../src/domain/accounts/account-service.js";
import { scryptPasswords } from "../../src/domain/accounts/passwords.js";
import { migrateToLatest } from "../../src/store/migrations/index.js";
import { SqlAccountStore } from "../../src/store/sql/account-store.js";
import type { Database } from "../../src/store/sql/schema.js";
import { SqlWorkspaceStore } from "../../src/store/sql/workspace-store.js";
import {
  emptyDatabase,
  engine,
  migrationsBefore,
  productionMigrations,
} from "../helpers/migration-database.js";

const createdAt = Date.UTC(2026, 0, 2, 3, 4, 5);
let db: Kysely<Database>;
let close: () => Promise<void>;
let accounts: AccountService;

before(async () => {
  ({ db, close } = await emptyDatabase());
  await migrateToLatest(db, migrationsBefore("0106_accounts"));
  await sql`INSERT INTO workspaces (id, name, slug, created_at) VALUES ('ws_installed', 'Installed', 'installed', ${createdAt})`.execute(
    db,
  );
  await migrateToLatest(db, productionMigrations);
  const store = new SqlAccountStore(db, engine);
  accounts = new AccountService(store, new SqlWorkspaceStore(db), scryptPasswords, { now: () => createdAt });
});
after(() => close());

test("a workspace installed before gets its owner by the setup link, who signs in", async () => {
  const token = await accounts.createSetupToken("ws_installed");
  const signedIn = await accounts.setup(token, { email: "Owner@Example.com", password: "correct horse" });
  assert.deepEqual(signedIn.me.workspaces, [
    { id: "ws_installed", name: "Installed", slug: "installed", role: "owner" },
  ]);
  const again = await accounts.login("owner@example.com", "correct horse", "192.0.2.1");
  assert.equal(again.me.user.id, signedIn.me.user.id);
});

test("the database refuses a second account for the same email in another case, and a membership of nothing", async () => {
  await assert.rejects(
    sql`INSERT INTO users (id, email, email_key, name, password_hash, created_at)
        VALUES ('user_dup', 'OWNER@example.com', 'owner@example.com', NULL, 'x', ${createdAt})`.execute(db),
  );
  await assert.rejects(
    accounts.createUser({ email: "OWNER@EXAMPLE.COM", password: "correct horse" }),
    /already exists/,
  );
  await assert.rejects(
    sql`INSERT INTO memberships (workspace_id, user_id, role, created_at)
        VALUES ('ws_missing', 'user_missing', 'owner', ${createdAt})`.execute(db),
  );
});
