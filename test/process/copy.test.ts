// `clicktrail copy`: a SQLite install seeded through a real server (links, redirects, leads and sales through
// the Dub SDK) is copied into a real PostgreSQL, which must then answer the API exactly as SQLite did.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import SQLite from "better-sqlite3";
import { Dub } from "dub";
import type { Insertable, Kysely } from "kysely";
import pg from "pg";
import { startPostgres } from "../../scripts/test-services.mjs";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { startServer as startRealServer } from "../../src/server.js";
import { type CopyReport, copyDatabase } from "../../src/store/copy/copy-database.js";
import { CopyError } from "../../src/store/copy/copy-error.js";
import { openStorage } from "../../src/store/open-storage.js";
import type { ClickRow, Database, LinkRow } from "../../src/store/sql/schema.js";
import { apiJson, clickIdAt, clickIdFor, uniqueIp } from "../helpers/journey.js";
import {
  CLI,
  cleanUp,
  cli,
  ensureBuilt,
  freePort,
  spawnChild,
  startReceiver,
  tempDir,
  until,
} from "../helpers/processes.js";
import { BROWSER_UA, startServer, type TestServer, visit } from "../helpers/server.js";
import { Browser } from "../helpers/session.js";

type Service = { url?: string; missing?: string; stop?: () => void };
let postgres: Service = {};

async function skipReason(): Promise<string | undefined> {
  if (process.env.CLICKTRAIL_TEST_STORE === "postgres")
    return "copy reads a SQLite source: it runs in the SQLite pass";
  postgres = process.env.CLICKTRAIL_TEST_PG_URL
    ? { url: process.env.CLICKTRAIL_TEST_PG_URL }
    : await startPostgres();
  return postgres.missing && `needs PostgreSQL: ${postgres.missing}`;
}

const skip = await skipReason();
const cleanups: (() => Promise<void> | void)[] = [];
const quiet = { write: () => true };

/** A new, empty database on the test PostgreSQL server, dropped after the suite. */
async function freshDatabase(): Promise<string> {
  const name = `copy_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  cleanups.push(() => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  const url = new URL(postgres.url ?? "");
  url.pathname = `/${name}`;
  return url.toString();
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgres.url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function pgRows<T = Record<string, unknown>>(
  url: string,
  text: string,
  ...params: unknown[]
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

const pgCount = async (url: string, text: string, ...params: unknown[]) =>
  Number(Object.values((await pgRows(url, text, ...params))[0])[0]);

/** Resolves once a copy into `target` has committed its first clicks. */
const copyStarted = (target: string) =>
  until(
    async () => (await pgCount(target, "select count(*) from clicks").catch(() => 0)) > 0,
    "the copy to start",
    30_000,
    10,
  );

const copiedNow = (report: CopyReport, table: string) =>
  report.checks.find((check) => check.name === table)?.copied;

/** The copy as a PostgreSQL server of this code serves it (it finds workspaces there, so it creates none). */
async function serveOnPostgres(databaseUrl: string, shortDomain: string) {
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    DATA_DIR: tempDir("clicktrail-copy-pg-"),
    HOST: "127.0.0.1",
    PORT: String(await freePort()),
    SHORT_DOMAIN: shortDomain,
    TRUST_PROXY: "true",
    LOG_LEVEL: "silent",
  });
  const server = await startRealServer(config, { logger: createLogger("silent") });
  return {
    origin: server.origin,
    sdk: (token: string) => new Dub({ token, serverURL: `${server.origin}/api` }),
    stop: server.stop,
  };
}

const MONTH = 31 * 24 * 60 * 60 * 1000;

/** A SQLite data directory written directly (no server): one workspace, one link, clicks spread over months. */
async function syntheticSource(
  clicks: number,
): Promise<{ dir: string; addClicks(count: number): Promise<void> }> {
  const dir = tempDir();
  const withDb = async (work: (db: Kysely<Database>) => Promise<unknown>) => {
    const storage = await openStorage(loadConfig({ DATA_DIR: dir, LOG_LEVEL: "silent" }));
    try {
      await work(storage.db);
    } finally {
      await storage.db.destroy();
    }
  };
  const start = Date.UTC(2025, 0, 15);
  await withDb(async (db) => {
    await db
      .insertInto("workspaces")
      .values({
        id: "ws_synthetic",
        name: "Synthetic",
        slug: "synthetic",
        created_at: start,
        allowed_hostnames: null,
      })
      .execute();
    await db.insertInto("links").values(syntheticLink(start)).execute();
  });
  let written = 0;
  const addClicks = (count: number) =>
    withDb((db) =>
      db.transaction().execute(async (trx) => {
        const rows = Array.from({ length: count }, () => {
          const n = written++;
          return syntheticClick(n, start + Math.floor((n / clicks) * 6 * MONTH));
        });
        for (let i = 0; i < rows.length; i += 500)
          await trx
            .insertInto("clicks")
            .values(rows.slice(i, i + 500))
            .execute();
        await trx
          .updateTable("links")
          .set((eb) => ({ clicks: eb("clicks", "+", count) }))
          .execute();
      }),
    );
  await addClicks(clicks);
  return { dir, addClicks };
}

const syntheticLink = (time: number): Insertable<LinkRow> => ({
  id: "link_synthetic",
  workspace_id: "ws_synthetic",
  domain: "go.example.com",
  key: "s",
  url: "https://example.com/s",
  external_id: null,
  tenant_id: null,
  track_conversion: 0,
  archived: 0,
  expires_at: null,
  expired_url: null,
  disabled_at: null,
  title: null,
  description: null,
  image: null,
  comments: null,
  utm_source: null,
  utm_medium: null,
  utm_campaign: null,
  utm_term: null,
  utm_content: null,
  last_clicked: null,
  last_lead_at: null,
  last_conversion_at: null,
  created_at: time,
  updated_at: time,
});

const syntheticClick = (n: number, timestamp: number): ClickRow => ({
  id: `click_${String(n).padStart(8, "0")}`,
  workspace_id: "ws_synthetic",
  link_id: "link_synthetic",
  timestamp,
  identity_hash: `visitor${n}`,
  domain: "go.example.com",
  key: "s",
  url: "https://example.com/s",
  ip: "10.0.0.1",
  country: "DE",
  continent: "EU",
  region: "DE-BE",
  city: "Berlin",
  device: "Desktop",
  browser: "Chrome",
  os: "Mac OS",
  engine: "Blink",
  ua: BROWSER_UA,
  referer: "(direct)",
  referer_url: "(direct)",
  qr: n % 10 === 0 ? 1 : 0,
  trigger: n % 10 === 0 ? "qr" : "link",
  utm_source: null,
  utm_medium: null,
  utm_campaign: null,
  utm_term: null,
  utm_content: null,
});

const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

/**
 * The command-line tests' source, made once (a copy never writes its source): enough batches of `CLI_BATCH` clicks
 * for a signal to land in the middle of the copy.
 */
const CLI_CLICKS = 10_000;
const thousands = (n: number) => n.toLocaleString("en-US");
const CLI_COUNT = thousands(CLI_CLICKS);
const CLI_BATCH = "25";
let cliSourceMade: ReturnType<typeof syntheticSource> | undefined;
const cliSource = () => {
  cliSourceMade ??= syntheticSource(CLI_CLICKS);
  return cliSourceMade;
};

describe("clicktrail copy: SQLite to PostgreSQL", { skip }, () => {
  let sqlite: TestServer;
  const seeded = {
    alpha: "",
    visitorIp: "",
    visitorClickId: "",
    webhook: "",
    sale: {} as unknown,
    saleRequest: {} as Parameters<Dub["track"]["sale"]>[0],
    ownerCookie: "",
  };
  const OWNER = "copy.owner@example.com";

  before(async () => {
    ensureBuilt();
    const receiver = await startReceiver(() => 204);
    cleanups.push(receiver.close);
    sqlite = await startServer({ TRUST_PROXY: "true", WEBHOOK_ALLOW_PRIVATE: "true", WEBHOOK_POLL_MS: "20" });
    const sdk = sqlite.sdk();
    const owner = new Browser(sqlite);
    await owner.setup(sqlite.setupToken, OWNER);
    seeded.ownerCookie = owner.cookie ?? "";
    await owner.json("POST", `/api/workspaces/${sqlite.workspaceId}/invites`, {
      body: { email: "later@example.com", role: "member" },
    });
    const tag = await sdk.tags.create({ name: "Newsletter", color: "green" });
    await sdk.tags.create({ name: "Unused" });
    const folder = await sdk.folders.create({ name: "Campaigns" });
    const alpha = await sdk.links.create({
      url: "https://example.com/alpha",
      key: "alpha",
      trackConversion: true,
      utmSource: "newsletter",
      title: "Alpha",
      tagIds: [tag.id],
      folderId: folder.id,
    });
    seeded.alpha = alpha.id;
    const hook = await apiJson(sqlite.origin, sqlite.key, "POST", "/webhooks", {
      name: "Conversions of alpha",
      url: receiver.url,
      triggers: ["lead.created", "sale.created"],
      linkIds: [alpha.id],
    });
    seeded.webhook = hook.id;
    await sdk.links.create({ url: "https://example.com/beta", key: "beta", externalId: "ext-beta" });
    await sdk.links.create({ url: "https://example.com/archived", key: "old", archived: true });
    const doomed = await sdk.links.create({ url: "https://example.com/doomed", key: "doomed" });
    await sdk.links.delete(doomed.id);
    for (let i = 0; i < 5; i++) await visit(sqlite, "/beta", { headers: { "x-forwarded-for": uniqueIp() } });
    await visit(sqlite, "/beta?qr=1", { headers: { "x-forwarded-for": uniqueIp() } });
    seeded.visitorIp = uniqueIp();
    seeded.visitorClickId = await clickIdAt(sqlite.origin, "alpha", { "x-forwarded-for": seeded.visitorIp });
    await sqlite.services.fxRates.save([
      { currency: "EUR", source: "manual", ratePerUsd: 0.8, updatedAt: Date.now() },
    ]);
    for (let i = 0; i < 6; i++) {
      const clickId = await clickIdFor(sqlite, "alpha");
      await sdk.track.lead({
        clickId,
        eventName: "Sign up",
        customerExternalId: `cust-${i}`,
        customerName: `C${i}`,
      });
      if (i % 2 === 0) {
        const request = {
          customerExternalId: `cust-${i}`,
          amount: 1000 + i,
          currency: i === 4 ? "eur" : "usd",
          paymentProcessor: "stripe" as const,
          invoiceId: `inv-${i}`,
          metadata: { order: i },
        };
        const sale = await sdk.track.sale(request);
        if (i === 0) Object.assign(seeded, { sale, saleRequest: request });
      }
    }
    // An event of long ago: the copy must give its month a partition instead of the DEFAULT one.
    const [old] = await sqlite.query<ClickRow>("select * from clicks limit 1");
    await sqlite.storage.db
      .insertInto("clicks")
      .values({ ...old, id: "click_from_2024", timestamp: Date.UTC(2024, 2, 10) })
      .execute();
    await sqlite.services.clickRecorder.drain();
    await until(
      async () => {
        const rows = await sqlite.query<{ status: string }>("select status from webhook_messages");
        return rows.length === 9 && rows.every((row) => row.status === "delivered");
      },
      "every webhook message delivered",
      15_000,
    );
  });

  after(async () => {
    await sqlite?.stop();
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanUp();
    postgres.stop?.();
  });

  test("refuses a target that is not PostgreSQL and a source without clicktrail.sqlite", async () => {
    await assert.rejects(
      copyDatabase({ from: sqlite.dataDir, to: "mysql://x/y", progress: quiet }),
      (error) => {
        assert.ok(error instanceof CopyError);
        assert.match(error.message, /--to must be a PostgreSQL URL/);
        return true;
      },
    );
    const empty = tempDir();
    await assert.rejects(copyDatabase({ from: empty, to: postgres.url ?? "", progress: quiet }), (error) => {
      assert.ok(error instanceof CopyError);
      assert.match(error.message, /No Clicktrail database at .*clicktrail\.sqlite/);
      return true;
    });
  });

  describe("a copy of a seeded install", () => {
    let target: string;
    let report: CopyReport;
    let server: Awaited<ReturnType<typeof serveOnPostgres>>;

    before(async () => {
      target = await freshDatabase();
      report = await copyDatabase({ from: sqlite.dataDir, to: target, batchSize: 3, progress: quiet });
      server = await serveOnPostgres(target, sqlite.host);
    });
    after(() => server?.stop());

    test("copies every table, verified, with the event months partitioned", async () => {
      assert.equal(report.interrupted, false);
      assert.deepEqual(report.problems, []);
      assert.equal(report.ok, true);
      for (const table of [
        "workspaces",
        "api_keys",
        "folders",
        "tags",
        "links",
        "link_tags",
        "click_visitors",
      ])
        assert.ok((copiedNow(report, table) ?? 0) > 0, `${table} copied rows`);
      for (const table of ["clicks", "customers"])
        assert.ok((copiedNow(report, table) ?? 0) > 0, `${table} copied rows`);
      for (const table of [
        "lead_events",
        "lead_claims",
        "sale_events",
        "sale_invoices",
        "fx_rates",
        "webhooks",
      ])
        assert.ok((copiedNow(report, table) ?? 0) > 0, `${table} copied rows`);
      for (const table of ["webhook_triggers", "webhook_links", "webhook_messages", "webhook_attempts"])
        assert.ok((copiedNow(report, table) ?? 0) > 0, `${table} copied rows`);
      for (const table of ["users", "memberships", "invites", "setup_tokens"])
        assert.equal(copiedNow(report, table), 1, `${table} copied rows`);
      assert.equal(copiedNow(report, "sessions"), undefined, "sessions are not copied");
      assert.equal(await pgCount(target, "select count(*) from sessions"), 0);
      assert.ok(report.partitions.includes("clicks_y2024m03"), report.partitions.join(" "));
      // Analyzed when it finished: the planner has statistics for the bulk-loaded tables.
      for (const table of ["clicks_y2024m03", "links", "rollups"])
        assert.equal(
          await pgCount(
            target,
            `select count(*) from pg_stat_user_tables where relname = '${table}' and last_analyze is not null`,
          ),
          1,
          `${table} analyzed`,
        );
      for (const table of ["clicks", "lead_events", "sale_events"])
        assert.equal(await pgCount(target, `select count(*) from ${table}_default`), 0, `${table}_default`);
      const secret = await sqlite.one<{ value: string }>(
        "select value from settings where name = 'visitor_hash_secret'",
      );
      const [copied] = await pgRows<{ value: string }>(
        target,
        "select value from settings where name = 'visitor_hash_secret'",
      );
      assert.equal(copied.value, secret?.value);
    });

    test("PostgreSQL answers the API as SQLite did", async () => {
      const [onSqlite, onPostgres] = [sqlite.sdk(), server.sdk(sqlite.key)];
      const list = async (sdk: Dub) => (await sdk.links.list({ showArchived: true, pageSize: 100 })).result;
      assert.deepEqual(await list(onPostgres), await list(onSqlite));
      const alpha = await onPostgres.links.get({ linkId: seeded.alpha });
      assert.deepEqual(alpha, await onSqlite.links.get({ linkId: seeded.alpha }));
      assert.equal(alpha.clicks, 7);
      assert.equal(alpha.leads, 6);
      assert.equal(alpha.sales, 3);
      assert.deepEqual(
        alpha.tags?.map((tag) => tag.name),
        ["Newsletter"],
      );
      assert.notEqual(alpha.folderId, null);
      assert.deepEqual(await onPostgres.tags.list({}), await onSqlite.tags.list({}));
      assert.deepEqual(await onPostgres.folders.list({}), await onSqlite.folders.list({}));
      assert.deepEqual(
        await onPostgres.links.get({ externalId: "ext-beta" }),
        await onSqlite.links.get({ externalId: "ext-beta" }),
      );
      for (const path of ["/webhooks", `/webhooks/${seeded.webhook}`, `/webhooks/${seeded.webhook}/events`]) {
        assert.deepEqual(
          await apiJson(server.origin, sqlite.key, "GET", path),
          await apiJson(sqlite.origin, sqlite.key, "GET", path),
          path,
        );
      }
    });

    test("users sign in on PostgreSQL with their password; their SQLite sessions do not carry over", async () => {
      const stale = new Browser(server);
      stale.cookie = seeded.ownerCookie;
      assert.equal((await stale.call("GET", "/api/auth/me")).status, 401);
      const me = await new Browser(server).login(OWNER);
      assert.deepEqual(
        me.workspaces.map((w: { id: string; role: string }) => [w.id, w.role]),
        [[sqlite.workspaceId, "owner"]],
      );
    });

    test("a repeated sale replays the receipt SQLite gave, and records nothing", async () => {
      const replay = await server.sdk(sqlite.key).track.sale(seeded.saleRequest);
      assert.deepEqual(replay, seeded.sale);
      assert.equal(await pgCount(target, "select count(*) from sale_events"), 3);
    });

    test("the same visitor within the hour keeps its click id", async () => {
      const clickId = await clickIdAt(server.origin, "alpha", { "x-forwarded-for": seeded.visitorIp });
      assert.equal(clickId, seeded.visitorClickId);
      assert.equal(await pgCount(target, "select count(*) from clicks where link_id = $1", seeded.alpha), 7);
    });

    test("a rerun copies only what changed at the source since", async () => {
      const again = await copyDatabase({ from: sqlite.dataDir, to: target, progress: quiet });
      assert.equal(again.ok, true, again.problems.join("\n"));
      for (const check of again.checks) if (check.copied !== null) assert.equal(check.copied, 0, check.name);

      await visit(sqlite, "/beta", { headers: { "x-forwarded-for": uniqueIp() } });
      await visit(sqlite, "/beta", { headers: { "x-forwarded-for": uniqueIp() } });
      await sqlite.services.clickRecorder.drain();
      const gone = await sqlite.sdk().links.create({ url: "https://example.com/gone", key: "gone" });
      const more = await copyDatabase({ from: sqlite.dataDir, to: target, progress: quiet });
      assert.equal(more.ok, true, more.problems.join("\n"));
      assert.equal(copiedNow(more, "clicks"), 2);
      assert.equal(copiedNow(more, "click_visitors"), 2);
      assert.equal(copiedNow(more, "links"), 2, "beta's counter changed and one link is new");

      await sqlite.sdk().links.delete(gone.id);
      const afterDelete = await copyDatabase({ from: sqlite.dataDir, to: target, progress: quiet });
      assert.equal(afterDelete.ok, true, afterDelete.problems.join("\n"));
      assert.equal(await pgCount(target, "select count(*) from links where id = $1", gone.id), 0);
      const list = async (sdk: Dub) => (await sdk.links.list({ showArchived: true, pageSize: 100 })).result;
      assert.deepEqual(await list(server.sdk(sqlite.key)), await list(sqlite.sdk()));

      // A tag and a folder deleted at the source: the copy drops them, their pairs, and files the link nowhere.
      const source = sqlite.sdk();
      const tag = await source.tags.create({ name: "Short-lived" });
      const folder = await source.folders.create({ name: "Short-lived" });
      const filed = await source.links.create({
        url: "https://example.com/filed",
        key: "filed",
        tagIds: [tag.id],
        folderId: folder.id,
      });
      assert.equal((await copyDatabase({ from: sqlite.dataDir, to: target, progress: quiet })).ok, true);
      assert.equal(await pgCount(target, "select count(*) from link_tags where link_id = $1", filed.id), 1);
      await source.tags.delete(tag.id);
      await source.folders.delete(folder.id);
      const afterLabels = await copyDatabase({ from: sqlite.dataDir, to: target, progress: quiet });
      assert.equal(afterLabels.ok, true, afterLabels.problems.join("\n"));
      assert.equal(await pgCount(target, "select count(*) from tags where id = $1", tag.id), 0);
      assert.equal(await pgCount(target, "select count(*) from link_tags where link_id = $1", filed.id), 0);
      const onPostgres = await server.sdk(sqlite.key).links.get({ linkId: filed.id });
      assert.deepEqual(onPostgres, await source.links.get({ linkId: filed.id }));
      assert.equal(onPostgres.folderId, null);
    });
  });

  test("refuses a target holding another install's workspaces unless forced", async () => {
    const target = await freshDatabase();
    const other = await startServer();
    cleanups.push(() => other.stop());
    await copyDatabase({ from: other.dataDir, to: target, progress: quiet });
    await assert.rejects(copyDatabase({ from: sqlite.dataDir, to: target, progress: quiet }), (error) => {
      assert.ok(error instanceof CopyError);
      assert.match(
        error.message,
        new RegExp(`1 workspace\\(s\\) that the source does not have \\(${other.workspaceId}\\)`),
      );
      assert.match(error.message, /--force/);
      return true;
    });
    assert.equal(await pgCount(target, "select count(*) from links"), 0);
    const forced = await copyDatabase({ from: sqlite.dataDir, to: target, force: true, progress: quiet });
    assert.equal(forced.ok, true, forced.problems.join("\n"));
    assert.equal(await pgCount(target, "select count(*) from workspaces"), 2);
    // Both installs began with a "Default workspace": the copied one takes the next free slug, on every run.
    const slugs = () =>
      pgRows<{ id: string; slug: string }>(target, "select id, slug from workspaces order by slug");
    assert.deepEqual(await slugs(), [
      { id: other.workspaceId, slug: "default-workspace" },
      { id: sqlite.workspaceId, slug: "default-workspace-2" },
    ]);
    const again = await copyDatabase({ from: sqlite.dataDir, to: target, force: true, progress: quiet });
    assert.equal(again.ok, true, again.problems.join("\n"));
    assert.equal(copiedNow(again, "workspaces"), 0, "the renamed slug is not written again");
    assert.equal((await slugs())[1].slug, "default-workspace-2");
  });

  test("an interrupted copy resumes where it stopped, without a duplicate; the source is never written", async () => {
    const source = await syntheticSource(1_000);
    const file = join(source.dir, "clicktrail.sqlite");
    const before = sha256(file);
    const target = await freshDatabase();
    // settings, workspaces and links take one batch each: the next five are 50 clicks each.
    const first = await copyDatabase({
      from: source.dir,
      to: target,
      batchSize: 50,
      maxBatches: 8,
      progress: quiet,
    });
    assert.equal(first.interrupted, true);
    assert.equal(await pgCount(target, "select count(*) from clicks"), 250);
    const [progress] = await pgRows<{ last_rowid: string; done: boolean }>(
      target,
      "select last_rowid, done from clicktrail_copy_progress where table_name = 'clicks'",
    );
    assert.deepEqual(
      { ...progress, last_rowid: Number(progress.last_rowid) },
      { last_rowid: 250, done: false },
    );

    const second = await copyDatabase({ from: source.dir, to: target, batchSize: 50, progress: quiet });
    assert.equal(second.ok, true, second.problems.join("\n"));
    assert.equal(copiedNow(second, "clicks"), 750);
    assert.equal(await pgCount(target, "select count(distinct id) from clicks"), 1_000);
    assert.equal(await pgCount(target, "select count(*) from clicks_default"), 0);
    assert.equal(sha256(file), before, "the source file is unchanged");

    await source.addClicks(10);
    const third = await copyDatabase({ from: source.dir, to: target, progress: quiet });
    assert.equal(third.ok, true, third.problems.join("\n"));
    assert.equal(copiedNow(third, "clicks"), 10);
    assert.equal(await pgCount(target, "select count(*) from clicks"), 1_010);
  });

  test("the command line: Ctrl-C says how to resume and exits 130; the same command then finishes", async () => {
    const source = await cliSource();
    const target = await freshDatabase();
    const args = ["copy", "--from", source.dir, "--to", target, "--batch-size", CLI_BATCH];
    const copy = spawnChild(process.execPath, [CLI, ...args], {});
    await copyStarted(target);
    copy.child.kill("SIGINT");
    assert.equal(await copy.exited, 130);
    const stderr = copy.stderr();
    assert.match(
      stderr,
      /clicktrail copy: interrupted\. What was copied so far is kept in the target; run the same command again to resume/,
    );
    assert.match(stderr, /^ {2}clicktrail copy --from .* --to postgres:\/\//m);
    assert.ok((await pgCount(target, "select count(*) from clicks")) < CLI_CLICKS, "stopped mid-copy");
    const resumed = await cli(args, {});
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.equal(await pgCount(target, "select count(distinct id) from clicks"), CLI_CLICKS);
  });

  test("the command line: progress on stderr, the verified counts on stdout, resumable after a kill", async (t) => {
    const source = await cliSource();
    const target = await freshDatabase();
    const copy = spawnChild(
      process.execPath,
      [CLI, "copy", "--from", source.dir, "--to", target, "--batch-size", CLI_BATCH],
      {},
    );
    await copyStarted(target);
    copy.child.kill("SIGKILL");
    await copy.exited;
    const partial = await pgCount(target, "select count(*) from clicks");
    assert.ok(partial > 0 && partial < CLI_CLICKS, `killed mid-copy (${partial} clicks copied)`);

    const run = await cli(["copy", "--from", source.dir, "--to", target, "--batch-size", "5000"], {});
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /^Copying .*clicktrail\.sqlite into postgres:\/\//m);
    assert.match(
      run.stderr,
      new RegExp(`^clicks\\s+${CLI_COUNT} / ${CLI_COUNT}\\s+100%\\s+[\\d,]+ rows/s\\s+[\\d,]+ written$`, "m"),
    );
    assert.match(run.stderr, /Copy complete: every count matches\./);
    assert.match(run.stdout, /^table\s+copied now\s+source\s+target$/m);
    const resumed = thousands(CLI_CLICKS - partial);
    assert.match(run.stdout, new RegExp(`^clicks\\s+${resumed}\\s+${CLI_COUNT}\\s+${CLI_COUNT}\\s+ok$`, "m"));
    assert.match(
      run.stdout,
      new RegExp(`^sum\\(links\\.clicks\\)\\s+${CLI_COUNT}\\s+${CLI_COUNT}\\s+ok$`, "m"),
    );
    assert.equal(await pgCount(target, "select count(distinct id) from clicks"), CLI_CLICKS);
    t.diagnostic(`clicktrail copy, after a kill at ${partial} clicks:`);
    for (const line of `${run.stderr}${run.stdout}`.trimEnd().split("\n")) t.diagnostic(line);

    await pgRows(target, "delete from clicks where id = 'click_00000007'");
    const differs = await cli(["copy", "--from", source.dir, "--to", target], {});
    assert.equal(differs.status, 1);
    assert.match(
      differs.stdout,
      new RegExp(`^clicks\\s+0\\s+${CLI_COUNT}\\s+${thousands(CLI_CLICKS - 1)}\\s+DIFFERS$`, "m"),
    );
    assert.match(
      differs.stderr,
      new RegExp(
        `the target differs from the source:\\n {2}clicks: ${CLI_COUNT} in the source, ${thousands(CLI_CLICKS - 1)} in the target`,
      ),
    );
    await pgRows(target, "delete from clicktrail_copy_progress");
    const repaired = await cli(["copy", "--from", source.dir, "--to", target], {});
    assert.equal(repaired.status, 0, repaired.stderr);
    assert.match(repaired.stdout, new RegExp(`^clicks\\s+1\\s+${CLI_COUNT}\\s+${CLI_COUNT}\\s+ok$`, "m"));

    assert.doesNotMatch(run.stderr, /warning/, "no process had the source open");

    const reader = new SQLite(join(source.dir, "clicktrail.sqlite"), { readonly: true });
    try {
      reader.prepare("select count(*) from clicks").get(); // holds the database open, as a server does
      const warned = await cli(["copy", "--from", source.dir, "--to", target], {});
      assert.equal(warned.status, 0, warned.stderr);
      assert.match(
        warned.stderr,
        /^clicktrail copy: warning: .*clicktrail\.sqlite is open in another process, most likely a running server .*stop the servers first, or run the same copy again after stopping them/m,
      );
    } finally {
      reader.close();
    }

    const refused = await cli(["copy", "--from", source.dir, "--to", "sqlite:/tmp/x"], {});
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /^clicktrail copy: --to must be a PostgreSQL URL/);
    const usage = await cli(["copy", "--to", target], {});
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /copy needs --from DATA_DIR and --to postgres/);
  });
});
