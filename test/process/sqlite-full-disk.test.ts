// A full disk on the embedded store, made without root: SQLite's max_page_count, pinned on the server's own
// connection to the pages the file has, fails every write that needs a new page with SQLITE_FULL, as a full
// disk does. Raising it again is the disk getting space back.
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import pino from "pino";
import { rejection } from "../helpers/rejection.js";
import { startServer, type TestServer, visit } from "../helpers/server.js";
import { until } from "../helpers/webhook-receiver.js";

const UNLIMITED_PAGES = 1_073_741_823;

describe("a full disk under SQLite", () => {
  let server: TestServer;
  const log: Record<string, unknown>[] = [];

  before(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        log.push(JSON.parse(chunk.toString()));
        done();
      },
    });
    server = await startServer({}, { logger: pino({ level: "info" }, sink) });
  });
  after(() => server.stop());

  const setMaxPages = (pages: number) =>
    sql.raw(`PRAGMA max_page_count = ${Math.trunc(pages)}`).execute(server.storage.db);

  const createLink = (key: string) =>
    fetch(`${server.origin}/api/links`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.key}`, "content-type": "application/json" },
      body: JSON.stringify({ url: `https://example.com/${key}`, key }),
    });

  const readyz = async () => {
    const response = await fetch(`${server.origin}/readyz`);
    return { status: response.status, body: await response.json() };
  };

  test("writes answer 503 with Retry-After, the log names SQLITE_FULL, /readyz is 503; all recover with space", async () => {
    await server.sdk().links.create({ url: "https://example.com/kept", key: "kept" });
    assert.equal((await readyz()).status, 200);
    const { rows } = await sql<{ page_count: number }>`PRAGMA page_count`.execute(server.storage.db);
    await setMaxPages(rows[0].page_count);

    let refused: Response | undefined;
    for (let i = 0; i < 2_000 && !refused; i++) {
      const response = await createLink(`filler-${i}`);
      if (response.status === 200) await response.arrayBuffer();
      else refused = response;
    }
    assert.ok(refused, "some write needed a page the file could not have");
    assert.match(refused.headers.get("retry-after") ?? "", /^\d+$/);
    await rejection(refused, 503, {
      code: "internal_server_error",
      message: /database is unavailable/i,
      what: "a full disk is no client mistake and no bug: 503, not 500",
    });

    const errors = log.filter((line) => line.level === 50);
    const causes = errors.map((line) => (line.err as { code?: string; message?: string } | undefined) ?? {});
    assert.ok(
      causes.some((cause) => cause.code === "SQLITE_FULL"),
      `the log names SQLITE_FULL: ${JSON.stringify(errors)}`,
    );
    assert.ok(
      causes.every((cause) => !/cannot rollback/.test(cause.message ?? "")),
      "no rollback error hides the real one",
    );

    assert.deepEqual(await readyz(), {
      status: 503,
      body: { status: "unavailable", database: "unavailable", redis: "not configured" },
    });
    const redirect = await visit(server, "/kept");
    assert.equal(redirect.status, 302, "reads still work: visitors are still sent on");
    const listed = await fetch(`${server.origin}/api/links?pageSize=1`, {
      headers: { authorization: `Bearer ${server.key}` },
    });
    assert.equal(listed.status, 200, "and the API still reads");

    await setMaxPages(UNLIMITED_PAGES);
    const created = await createLink("after-the-disk-got-space");
    assert.equal(created.status, 200, await created.text());
    const ready = await until(
      async () => ((await readyz()).status === 200 ? readyz() : undefined),
      "/readyz to recover",
      15_000,
      200,
    );
    assert.deepEqual(ready.body, { status: "ready", database: "ok", redis: "not configured" });
  });
});
