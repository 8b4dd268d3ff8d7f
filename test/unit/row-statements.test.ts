import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Kysely, sql } from "kysely";
import { executeRows } from "../../src/store/sql/row-statements.js";
import { openSqlite } from "../../src/store/sqlite/database.js";

type Cell = { k: string; x: number; y: number; z: string | null };
type Db = { cells: Cell };

let dir: string;
let db: Kysely<Db>;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "clicktrail-row-statements-"));
  db = openSqlite({ dataDir: dir, synchronous: "normal" }) as unknown as Kysely<Db>;
  await sql`create table cells (k text primary key, x integer not null, y integer not null, z text)`.execute(
    db,
  );
});

after(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const upsert = (rows: readonly Cell[]) =>
  executeRows(db, "cells", rows, (chunk) =>
    db
      .insertInto("cells")
      .values(chunk)
      .onConflict((oc) =>
        oc
          .column("k")
          .doUpdateSet({ x: sql<number>`cells.x + excluded.x`, y: sql<number>`cells.y + excluded.y` }),
      )
      .returning(["k", "x", "y"]),
  );

const all = () => db.selectFrom("cells").selectAll().orderBy("k").execute();

describe("executeRows: a multi-row statement compiled once per shape", () => {
  test("batches of the same size, their keys in any order and equal values in the first, land column by column", async () => {
    // The first batch names y before x, with equal values: only the column order its statement was built in keeps
    // them apart in the next batches.
    await upsert([
      { k: "a", y: 0, x: 0, z: null },
      { k: "b", y: 0, x: 0, z: "first" },
    ]);
    await upsert([
      { k: "b", y: 5, x: 4, z: null },
      { k: "g", y: 70, x: 7, z: null },
    ]);
    const second = await upsert([
      { y: 20, z: "ignored on conflict", k: "a", x: 1 } as Cell,
      { z: "c", y: 30, x: 3, k: "c" } as Cell,
    ]);
    assert.deepEqual(second.rows, [
      { k: "a", x: 1, y: 20 },
      { k: "c", x: 3, y: 30 },
    ]);
    assert.deepEqual(await all(), [
      { k: "a", x: 1, y: 20, z: null },
      { k: "b", x: 4, y: 5, z: "first" },
      { k: "c", x: 3, y: 30, z: "c" },
      { k: "g", x: 7, y: 70, z: null },
    ]);
  });

  test("other sizes get their own statement", async () => {
    await upsert([{ k: "d", x: 4, y: 40, z: null }]);
    await upsert([
      { k: "d", x: 1, y: 1, z: null },
      { k: "e", x: 5, y: 50, z: null },
      { k: "f", x: 6, y: 60, z: null },
    ]);
    assert.deepEqual(
      (await all()).filter((row) => row.k >= "d" && row.k <= "f"),
      [
        { k: "d", x: 5, y: 41, z: null },
        { k: "e", x: 5, y: 50, z: null },
        { k: "f", x: 6, y: 60, z: null },
      ],
    );
  });

  test("a batch whose rows name different columns is built as it is", async () => {
    await upsert([{ k: "h", x: 8, y: 80, z: "h" }, { k: "i", x: 9, y: 90 } as Cell]);
    await upsert([{ k: "j", x: 10, y: 100 } as Cell, { k: "l", x: 11, y: 110, z: "l" }]);
    assert.deepEqual(
      (await all()).filter((row) => row.k >= "h"),
      [
        { k: "h", x: 8, y: 80, z: "h" },
        { k: "i", x: 9, y: 90, z: null },
        { k: "j", x: 10, y: 100, z: null },
        { k: "l", x: 11, y: 110, z: "l" },
      ],
    );
  });

  test("a batch with a value left undefined (the column's default) is built for itself, whatever was cached", async () => {
    await db.deleteFrom("cells").execute();
    await sql`create table if not exists defaults (k text primary key, x integer not null default 7)`.execute(
      db,
    );
    type Row = { k: string; x?: number };
    const insert = (rows: Row[]) =>
      executeRows(db as unknown as Kysely<{ defaults: Row }>, "defaults", rows, (chunk) =>
        (db as unknown as Kysely<{ defaults: Row }>).insertInto("defaults").values(chunk),
      );
    await insert([{ k: "a", x: undefined }]);
    await insert([{ k: "b", x: 2 }]);
    await insert([{ k: "c", x: undefined }]);
    const rows = await sql<Row>`select k, x from defaults order by k`.execute(db);
    assert.deepEqual(rows.rows, [
      { k: "a", x: 7 },
      { k: "b", x: 2 },
      { k: "c", x: 7 },
    ]);
  });
});
