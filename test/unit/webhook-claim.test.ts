// How a delivery worker claims due webhook messages on SQLite: in the open group commit, and by id.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import Database from "better-sqlite3";
import { type CompiledQuery, Kysely, SqliteDialect, sql } from "kysely";
import { loadConfig } from "../../src/config.js";
import { openStorage, type Storage } from "../../src/store/open-storage.js";
import type { Database as Schema } from "../../src/store/sql/schema.js";
import { transact } from "../../src/store/sql/transact.js";
import { SqlWebhookStore } from "../../src/store/sql/webhook-store.js";

let dataDir: string;
let storage: Storage;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "clicktrail-webhook-claim-"));
  storage = await openStorage(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: "silent" }));
});

after(async () => {
  await storage.db.destroy();
  rmSync(dataDir, { recursive: true, force: true });
});

test("a claim joins the open group commit instead of committing it early", async () => {
  await sql`create table probe (n integer)`.execute(storage.db);
  const before = storage.commitUsage();
  // A click batch's transaction and a poll for due messages, in one turn of the event loop, as under load.
  const write = transact(storage.db, (trx) => sql`insert into probe (n) values (1)`.execute(trx));
  const claim = storage.stores.webhooks.claimDue(Date.now(), Date.now() + 60_000, 16);
  await Promise.all([write, claim]);
  const after = storage.commitUsage();
  assert.ok(before && after);
  assert.deepEqual(
    { transactions: after.transactions - before.transactions, commits: after.commits - before.commits },
    { transactions: 2, commits: 1 },
  );
});

test("a claim finds its messages by id, not by walking every pending message (a backlog drains in linear time)", async () => {
  const connection = new Database(join(dataDir, "clicktrail.sqlite"));
  const compiled: CompiledQuery[] = [];
  const db = new Kysely<Schema>({
    dialect: new SqliteDialect({ database: connection }),
    log: (event) => {
      if (event.level === "query") compiled.push(event.query);
    },
  });
  try {
    connection.pragma("foreign_keys = OFF");
    const insert = connection.prepare(
      `insert into webhook_messages (workspace_id, id, webhook_id, event_id, trigger, payload, status, next_attempt_at, created_at)
       values ('ws_1', ?, 'wh_1', ?, 'link.clicked', '{}', 'pending', ?, ?)`,
    );
    const now = Date.now();
    connection.transaction(() => {
      for (let n = 0; n < 2_000; n++) insert.run(`msg_${n}`, `evt_${n}`, now - 2_000 + n, now);
    })();
    const claimed = await new SqlWebhookStore(db).claimDue(now, now + 60_000, 16);
    assert.deepEqual(
      claimed.map((message) => message.id).sort(),
      Array.from({ length: 16 }, (_, n) => `msg_${n}`).sort(),
      "the 16 longest due",
    );
    const update = compiled.find((query) => /^update "webhook_messages"/i.test(query.sql));
    assert.ok(update, "the claim is one UPDATE");
    const plan = connection
      .prepare(`explain query plan ${update.sql}`)
      .all(...(update.parameters as unknown[])) as { parent: number; detail: string }[];
    const outer = plan.filter((step) => step.parent === 0 && /webhook_messages/.test(step.detail));
    assert.deepEqual(
      outer.map((step) => step.detail),
      ["SEARCH webhook_messages USING INDEX sqlite_autoindex_webhook_messages_1 (id=?)"],
    );
  } finally {
    await db.destroy();
  }
});
