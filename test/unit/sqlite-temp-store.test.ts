import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { sql } from "kysely";
import { transact } from "../../src/store/sql/transact.js";
import { openSqlite } from "../../src/store/sqlite/database.js";

/** Files this process holds open that SQLite created as temporary files (named `etilqs_…`, unlinked at once). */
const sqliteTempFiles = () =>
  readdirSync("/proc/self/fd").flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      return target.includes("etilqs_") ? [target] : [];
    } catch {
      return [];
    }
  });

test("a transaction that rewrites many pages keeps its savepoint's journal in memory, not in a temporary file", {
  skip: process.platform !== "linux" && "reads /proc/self/fd",
}, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "clicktrail-temp-store-"));
  const db = openSqlite({ dataDir, synchronous: "full" });
  try {
    await sql`create table pages (id integer primary key, body text not null)`.execute(db);
    await transact(db, async (trx) => {
      for (let id = 0; id < 400; id++)
        await sql`insert into pages (id, body) values (${id}, ${"x".repeat(1000)})`.execute(trx);
    });
    let during: string[] = [];
    await transact(db, async (trx) => {
      // About 100 pages of 4 KiB rewritten inside the group's savepoint: well past the journal's 64 KiB.
      await sql`update pages set body = ${"y".repeat(1000)}`.execute(trx);
      during = sqliteTempFiles();
    });
    assert.deepEqual(during, []);
    const { rows } = await sql<{ n: number }>`select count(*) as n from pages where body like 'y%'`.execute(
      db,
    );
    assert.equal(rows[0].n, 400);
  } finally {
    await db.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
