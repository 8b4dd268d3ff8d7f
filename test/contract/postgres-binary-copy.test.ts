// PostgreSQL's binary COPY as reader threads read event columns (ADR 35), against a real server: the bytes come back
// as stored, whatever they are and however the socket splits them, and a failed COPY leaves the connection usable.
// The format itself, split anywhere: test/unit/postgres-copy-reader.test.ts.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createConnection, createServer, type Server } from "node:net";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { BinaryCopyOut } from "../../src/store/scan-threads/postgres-binary-copy.js";
import { freshPostgresDatabase } from "../helpers/server.js";

const onPostgres = process.env.CLICKTRAIL_TEST_STORE === "postgres";

describe("binary COPY out of PostgreSQL", { skip: !onPostgres && "PostgreSQL only" }, () => {
  let database: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let client: pg.Client;

  before(async () => {
    database = await freshPostgresDatabase();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query("CREATE TABLE blobs (day BIGINT NOT NULL, name TEXT, data BYTEA)");
  });
  after(async () => {
    await client?.end();
    await database?.drop();
  });

  const copy = (select: string) =>
    client.query(new BinaryCopyOut(`COPY (${select}) TO STDOUT (FORMAT binary)`)).done;

  test("every byte value, blobs larger than the driver's reads, nulls and non-ASCII text come back as stored", async () => {
    const every = Buffer.from(Array.from({ length: 256 }, (_, byte) => byte));
    // Random bytes do not compress: a 3 MB value is stored out of line and arrives in many socket reads.
    const large = randomBytes(3 * 1024 * 1024);
    const rows: [bigint, string | null, Buffer | null][] = [
      [1_764_720_000_000n, "every byte", every],
      [-1n, "größer, 大きい", large],
      [9_007_199_254_740_991n, null, null],
      [0n, "", Buffer.alloc(0)],
    ];
    for (const row of rows) await client.query("INSERT INTO blobs VALUES ($1, $2, $3)", row);

    const tuples = await copy("select day, name, data from blobs order by name nulls last");
    assert.equal(tuples.length, rows.length);
    const read = tuples.map(([day, name, data]) => [
      (day as Buffer).readBigInt64BE(0),
      name === null ? null : name.toString(),
      data,
    ]);
    const expected = [...rows].sort((a, b) =>
      a[1] === null ? 1 : b[1] === null ? -1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0,
    );
    assert.deepEqual(read, expected);
  });

  test("rows survive the driver reusing its read buffer when the socket hands them over in odd pieces", async () => {
    // node-postgres parses into a buffer it reuses: when a message is split across reads, it may move the rest to
    // the start of that buffer, over messages it handed out before. A proxy splits the server's bytes so it does.
    const proxy = await rechunkingProxy(new URL(database.url));
    const url = new URL(database.url);
    url.port = String(proxy.port);
    const viaProxy = new pg.Client({ connectionString: url.toString() });
    await viaProxy.connect();
    try {
      await viaProxy.query("CREATE TABLE pieces (n INT, data BYTEA)");
      const pieces = Array.from({ length: 40 }, () => randomBytes(3_000));
      for (const [n, data] of pieces.entries())
        await viaProxy.query("INSERT INTO pieces VALUES ($1, $2)", [n, data]);
      const tuples = await viaProxy.query(
        new BinaryCopyOut("COPY (select data from pieces order by n) TO STDOUT (FORMAT binary)"),
      ).done;
      assert.deepEqual(
        tuples.map(([data]) => data),
        pieces,
      );
    } finally {
      await viaProxy.end();
      proxy.server.close();
    }
  });

  test("a COPY that matches nothing reads as no tuples", async () => {
    assert.deepEqual(await copy("select day, name, data from blobs where day = 42"), []);
  });

  test("a COPY the server refuses rejects with its error, and the connection answers the next query", async () => {
    await assert.rejects(copy("select nothing_here from blobs"), /nothing_here/);
    await assert.rejects(
      client.query(new BinaryCopyOut("COPY blobs FROM STDIN")).done,
      /this reads a COPY TO/,
    );
    assert.equal((await client.query("select count(*)::int as n from blobs")).rows[0].n, 4);
    assert.equal((await copy("select 1::bigint")).length, 1);
  });
});

/** A TCP proxy to PostgreSQL that passes the server's bytes on in alternate large and small pieces, one at a time. */
async function rechunkingProxy(target: URL): Promise<{ server: Server; port: number }> {
  const server = createServer((client) => {
    const upstream = createConnection({ host: target.hostname, port: Number(target.port || 5432) });
    client.pipe(upstream);
    let pending = Buffer.alloc(0);
    let sending = false;
    const send = async () => {
      if (sending) return;
      sending = true;
      for (let small = false; pending.length > 0; small = !small) {
        const size = small ? 64 : 8_000;
        client.write(pending.subarray(0, size));
        pending = pending.subarray(size);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      sending = false;
    };
    upstream.on("data", (bytes: Buffer) => {
      pending = Buffer.concat([pending, bytes]);
      void send();
    });
    upstream.on("close", () => client.destroy());
    client.on("close", () => upstream.destroy());
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return { server, port: typeof address === "object" && address ? address.port : 0 };
}
