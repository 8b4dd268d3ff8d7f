import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { transact } from "../../src/store/sql/transact.js";
import { GroupCommitDriver } from "../../src/store/sqlite/group-commit-driver.js";

type Schema = { items: { id: string; body: string } };

let dataDir: string;
let connection: SQLite.Database;
let driver: GroupCommitDriver;
let db: Kysely<Schema>;
/** A second connection: it sees only what was committed. */
let observer: SQLite.Database;

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "clicktrail-group-commit-"));
  const file = join(dataDir, "test.sqlite");
  connection = new SQLite(file);
  connection.pragma("journal_mode = WAL");
  connection.pragma("synchronous = FULL");
  connection.exec("create table items (id text primary key, body text not null)");
  driver = new GroupCommitDriver(connection);
  db = new Kysely<Schema>({
    dialect: new (class extends SqliteDialect {
      override createDriver() {
        return driver;
      }
    })({ database: connection }),
  });
  observer = new SQLite(file, { readonly: true });
});

afterEach(async () => {
  observer.close();
  await db.destroy();
  rmSync(dataDir, { recursive: true, force: true });
});

const committed = (id: string) =>
  observer.prepare("select count(*) as n from items where id = ?").get(id) as { n: number };
const insert = (id: string, body = "x") => ({ id, body });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A promise a transaction awaits while it holds the connection, and the function that lets it go on. */
function gate(): { held: Promise<void>; release: () => void } {
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { held, release };
}

describe("SQLite group commit", () => {
  test("concurrent transactions share commits, and each resolves only once a second connection sees its row", async () => {
    const seenAtResolve: number[] = [];
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        transact(db as never, async (trx) => {
          await (trx as unknown as Kysely<Schema>)
            .insertInto("items")
            .values(insert(`i${i}`))
            .execute();
        }).then(() => seenAtResolve.push(committed(`i${i}`).n)),
      ),
    );
    assert.deepEqual(seenAtResolve, Array(40).fill(1));
    const { commits, transactions } = driver.stats();
    assert.equal(transactions, 40);
    assert.ok(commits < 40, `40 concurrent transactions took ${commits} commits`);
  });

  test("a failing transaction rolls back alone; the others of its group commit", async () => {
    await db.insertInto("items").values(insert("taken")).execute();
    const results = await Promise.allSettled(
      ["a", "taken", "b"].map((id) =>
        db.transaction().execute(async (trx) => {
          await trx
            .insertInto("items")
            .values(insert(`${id}-first`))
            .execute();
          await trx.insertInto("items").values(insert(id)).execute();
        }),
      ),
    );
    assert.deepEqual(
      results.map((result) => result.status),
      ["fulfilled", "rejected", "fulfilled"],
    );
    assert.match(String((results[1] as PromiseRejectedResult).reason), /UNIQUE/);
    assert.deepEqual(
      ["a", "a-first", "b", "b-first", "taken-first"].map((id) => committed(id).n),
      [1, 1, 1, 1, 0],
    );
    assert.ok(driver.stats().commits < 3, "the two good transactions were not grouped");
  });

  test("a write outside any transaction commits the open group first and is durable when it returns", async () => {
    const { held, release } = gate();
    const grouped = db.transaction().execute(async (trx) => {
      await trx.insertInto("items").values(insert("grouped")).execute();
      await held;
    });
    const plain = db.insertInto("items").values(insert("plain")).execute();
    const afterPlain = plain.then(() => [committed("grouped").n, committed("plain").n]);
    await pause(5);
    release();
    await grouped;
    assert.deepEqual(await afterPlain, [1, 1]);
  });

  test("a read inside the open group sees its writes; the writer is answered only after the commit", async () => {
    const { held, release } = gate();
    const writer = db.transaction().execute(async (trx) => {
      await trx.insertInto("items").values(insert("w")).execute();
    });
    const blocker = db.transaction().execute(async () => {
      await held;
    });
    const reader = db.selectFrom("items").select("id").execute();
    let writerDone = false;
    void writer.then(() => {
      writerDone = true;
    });
    await pause(5);
    assert.equal(writerDone, false, "the writer was answered while its group was still open");
    release();
    await Promise.all([writer, blocker]);
    assert.deepEqual(
      (await reader).map((row) => row.id),
      ["w"],
    );
    assert.equal(committed("w").n, 1);
  });

  test("when SQLite aborts the whole transaction, every transaction of the group fails and nothing of it is kept", async () => {
    connection.pragma(`max_page_count = ${connection.pragma("page_count", { simple: true })}`);
    const small = db.transaction().execute(async (trx) => {
      await trx.insertInto("items").values(insert("small")).execute();
    });
    const big = db.transaction().execute(async (trx) => {
      await sql`insert into items (id, body) values ('big', ${"y".repeat(1_000_000)})`.execute(trx);
    });
    const [smallResult, bigResult] = await Promise.allSettled([small, big]);
    assert.equal(bigResult.status, "rejected");
    assert.match(String((bigResult as PromiseRejectedResult).reason), /full/i);
    // Whatever SQLite chose (roll back the statement or the transaction), a transaction is answered success only
    // if its row is kept.
    assert.equal(smallResult.status === "fulfilled", committed("small").n === 1);
    assert.equal(committed("big").n, 0);
    connection.pragma("max_page_count = 1073741823");
    await db.insertInto("items").values(insert("after")).execute();
    assert.equal(committed("after").n, 1);
  });
});
