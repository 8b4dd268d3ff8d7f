// `clicktrail backup` and `clicktrail restore`, and the integrity check at start: the compiled server and CLI as
// child processes over real SQLite files, loaded through HTTP and the Dub SDK, and damaged the way disks do it.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { after, before, describe, test } from "node:test";
import SQLite from "better-sqlite3";
import { Dub } from "dub";
import { sqliteMigrations } from "../../src/store/migrations/index.js";
import { apiJson, clickIdAt } from "../helpers/journey.js";
import {
  cleanUp,
  cli,
  cliJson,
  ensureBuilt,
  freePort,
  install,
  runMainToExit,
  type ServerProcess,
  startMain,
  tempDir,
} from "../helpers/processes.js";
import { BROWSER_UA } from "../helpers/server.js";
import { Browser, PASSWORD } from "../helpers/session.js";

const LATEST_SCHEMA = Object.keys(sqliteMigrations).at(-1);

const EXIT = { failure: 1, damaged: 3, busy: 4 };
const FIXTURE_CLICKS = 150;
const DB = "clicktrail.sqlite";

/** A data folder with a tracked link and 150 clicks on it, its server stopped: tests work on copies of it. */
let fixture: { dir: string; key: string; linkKey: string; linkId: string };

before(async () => {
  ensureBuilt();
  fixture = await seed(FIXTURE_CLICKS);
});
after(cleanUp);

/** A data folder of its own (inside a directory of its own) with a workspace and an unrestricted key. */
async function newInstall(): Promise<{ dir: string; key: string }> {
  const dir = join(tempDir(), "data");
  return { dir, key: await install({ DATA_DIR: dir }) };
}

// A fixed short domain: links keep resolving when a server starts again on another port.
const serverEnv = (dir: string) => ({
  DATA_DIR: dir,
  CLICK_DEDUPE_SECONDS: "0",
  SHORT_DOMAIN: "go.backup.test",
});

/** Every event of a kind, through GET /events, page by page. */
// biome-ignore lint/suspicious/noExplicitAny: JSON answers
async function allEvents(origin: string, key: string, kind: string): Promise<any[]> {
  const events = [];
  for (let page = 1; ; page++) {
    const batch = await apiJson(
      origin,
      key,
      "GET",
      `/events?event=${kind}&interval=all&limit=1000&page=${page}`,
    );
    events.push(...batch);
    if (batch.length < 1000) return events;
  }
}

/** A data folder with a tracked link and `clicks` clicks on it, its server stopped (the file is complete). */
async function seed(clicks: number): Promise<{ dir: string; key: string; linkKey: string; linkId: string }> {
  const { dir, key } = await newInstall();
  const server = await startMain(serverEnv(dir));
  const dub = new Dub({ token: key, serverURL: `${server.origin}/api` });
  const link = await dub.links.create({ url: "https://shop.example.com/pricing", trackConversion: true });
  for (let i = 0; i < clicks; i++) await clickIdAt(server.origin, link.key);
  assert.equal(await server.stop(), 0);
  return { dir, key, linkKey: link.key, linkId: link.id };
}

/** A data folder of its own holding a copy of the fixture's database. */
function seeded() {
  const dir = join(tempDir(), "data");
  mkdirSync(dir);
  copyFileSync(join(fixture.dir, DB), join(dir, DB));
  return { ...fixture, dir };
}

function clickCount(file: string): number {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare("SELECT count(*) FROM clicks").pluck().get() as number;
  } finally {
    db.close();
  }
}

const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

/** Overwrites one page of the clicks table's b-tree, in the middle of the file, with garbage. */
function corruptClicksPage(file: string): number {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  const pages = db
    .prepare("SELECT pageno FROM dbstat WHERE name = 'clicks' AND pagetype = 'leaf' ORDER BY pageno")
    .pluck()
    .all() as number[];
  const pageSize = db.pragma("page_size", { simple: true }) as number;
  const pageCount = db.pragma("page_count", { simple: true }) as number;
  db.close();
  assert.ok(pages.length >= 3, `the clicks table spans several pages (${pages.length})`);
  const page = pages[Math.floor(pages.length / 2)];
  assert.ok(page > 1 && page < pageCount);
  const fd = openSync(file, "r+");
  writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, (page - 1) * pageSize);
  closeSync(fd);
  return page;
}

const DAMAGE = {
  "truncated in the middle": (file: string) => truncateSync(file, Math.floor(statSync(file).size / 2) + 123),
  "a corrupted b-tree page of the clicks table": (file: string) => void corruptClicksPage(file),
  "not a database at all": (file: string) =>
    writeFileSync(file, "name,clicks\nspring-sale,120\nnewsletter,75\n".repeat(500)),
} as const;

const WHAT_IS_WRONG = {
  "truncated in the middle": /is truncated: its header describes [\d,]+ bytes, the file holds only [\d,]+/,
  "a corrupted b-tree page of the clicks table": /SQLite's integrity check \(PRAGMA quick_check\) reports: /,
  "not a database at all": /it is not a SQLite database/,
} as const;

function assertOneParagraph(stderr: string) {
  assert.doesNotMatch(stderr, /^\s+at /m, `no stack trace:\n${stderr}`);
  assert.equal(stderr.trim().split("\n").length, 1, `one paragraph:\n${stderr}`);
}

const PADDING_CLICKS = 50_000;

/**
 * Another workspace's clicks, written straight into the file (about 20 MB): enough pages that SQLite's backup
 * copies them in several steps, between which the server's writes land; the copy must still be one snapshot.
 */
function padWithOtherClicks(file: string) {
  const db = new SQLite(file);
  const insert = db.prepare(
    `INSERT INTO clicks (workspace_id, id, link_id, timestamp, identity_hash, domain, key, url, ip, country,
       continent, region, city, device, browser, os, engine, ua, referer, referer_url, qr, trigger)
     VALUES ('ws_padding', ?, 'link_padding', ?, ?, 'pad.example', 'pad', 'https://pad.example/', '10.0.0.1', 'US',
       'NA', 'CA', 'San Francisco', 'Desktop', 'Chrome', 'Mac OS', 'Blink', ?, '(direct)', '(direct)', 0, 'link')`,
  );
  db.transaction(() => {
    for (let i = 0; i < PADDING_CLICKS; i++)
      insert.run(`pad${i}`, 1_700_000_000_000 + i, `visitor${i}`.padEnd(64, "x"), BROWSER_UA);
  })();
  db.close();
}

describe("a backup taken under load holds every event acknowledged before it began", () => {
  test("redirects, leads and sales keep coming while clicktrail backup runs; the restored copy has them all", async () => {
    const { dir, key } = await newInstall();
    const user = { email: "backup.owner@example.com", password: PASSWORD };
    await cliJson(["users", "create", "--email", user.email, "--password", user.password], { DATA_DIR: dir });
    padWithOtherClicks(join(dir, DB));
    const server = await startMain({ ...serverEnv(dir), RATE_LIMIT_PER_MINUTE: "1000000" });
    const dub = new Dub({ token: key, serverURL: `${server.origin}/api` });
    const link = await dub.links.create({ url: "https://shop.example.com/pricing", trackConversion: true });

    type Ack = { id: string; at: number };
    const acked = { clicks: [] as Ack[], leads: [] as Ack[], sales: [] as Ack[] };
    const clickOfCustomer = new Map<string, string>();
    const customerOfInvoice = new Map<string, string>();
    let next = 0;
    let running = true;
    const worker = async () => {
      while (running) {
        const i = next++;
        const clickId = await clickIdAt(server.origin, link.key);
        acked.clicks.push({ id: clickId, at: performance.now() });
        if (i % 2 !== 0) continue;
        const customer = `customer-${i}`;
        clickOfCustomer.set(customer, clickId);
        await dub.track.lead({ clickId, eventName: "Sign up", customerExternalId: customer });
        acked.leads.push({ id: customer, at: performance.now() });
        if (i % 4 !== 0) continue;
        const invoice = `invoice-${i}`;
        customerOfInvoice.set(invoice, customer);
        await dub.track.sale({
          customerExternalId: customer,
          amount: 1000 + i,
          currency: "usd",
          invoiceId: invoice,
        });
        acked.sales.push({ id: invoice, at: performance.now() });
      }
    };
    const load = Promise.all(Array.from({ length: 4 }, worker));

    await new Promise((resolve) => setTimeout(resolve, 1500));
    const backupFile = join(tempDir(), "under-load.sqlite");
    const backupStartedAt = performance.now();
    const backup = await cli(["backup", backupFile, "--json"], { DATA_DIR: dir });
    const ackedDuringBackup = acked.clicks.filter((ack) => ack.at > backupStartedAt).length;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    running = false;
    await load;
    assert.equal(await server.stop(), 0);
    assert.equal(backup.status, 0, backup.stderr);
    assert.ok(ackedDuringBackup > 0, "the server kept acknowledging events while the backup ran");

    const report = JSON.parse(backup.stdout);
    assert.equal(report.file, backupFile);
    assert.equal(report.integrity, "ok");
    assert.equal(report.check, "quick_check");
    assert.equal(report.schema, LATEST_SCHEMA);
    const before = (list: Ack[]) => list.filter((ack) => ack.at < backupStartedAt).map((ack) => ack.id);
    const expected = { clicks: before(acked.clicks), leads: before(acked.leads), sales: before(acked.sales) };
    assert.ok(expected.sales.length > 0, "sales were acknowledged before the backup began");
    const backedUpClicks = report.counts.clicks - PADDING_CLICKS;
    assert.ok(backedUpClicks >= expected.clicks.length);
    assert.ok(backedUpClicks < acked.clicks.length, "the backup is a snapshot, not the final state");
    assert.deepEqual(readdirSync(join(backupFile, "..")), ["under-load.sqlite"], "one self-contained file");

    const fresh = join(tempDir(), "restored");
    const restore = await cli(["restore", backupFile, "--json"], { DATA_DIR: fresh });
    assert.equal(restore.status, 0, restore.stderr);
    assert.equal(JSON.parse(restore.stdout).keptAside, null);
    assert.deepEqual(JSON.parse(restore.stdout).counts, report.counts);

    const restored = await startMain(serverEnv(fresh));
    const clicks = await allEvents(restored.origin, key, "clicks");
    const leads = await allEvents(restored.origin, key, "leads");
    const sales = await allEvents(restored.origin, key, "sales");
    const clickIds = new Set(clicks.map((event) => event.click.id));
    const leadCustomers = new Set(leads.map((event) => event.customer.externalId));
    const invoices = new Set(sales.map((event) => event.sale.invoiceId));
    for (const id of expected.clicks)
      assert.ok(clickIds.has(id), `click ${id} acknowledged before the backup`);
    for (const id of expected.leads)
      assert.ok(leadCustomers.has(id), `lead of ${id} acknowledged before the backup`);
    for (const id of expected.sales) assert.ok(invoices.has(id), `sale ${id} acknowledged before the backup`);
    assert.deepEqual(
      { clicks: clicks.length, leads: leads.length, sales: sales.length },
      { clicks: backedUpClicks, leads: report.counts.leads, sales: report.counts.sales },
    );

    // A snapshot, nothing half-written: each conversion's predecessor is there, and the link's counters and the
    // analytics rollups agree with the raw events.
    for (const invoice of invoices)
      assert.ok(leadCustomers.has(customerOfInvoice.get(invoice) ?? ""), invoice);
    for (const customer of leadCustomers)
      assert.ok(clickIds.has(clickOfCustomer.get(customer) ?? ""), customer);
    const saleAmount = sales.reduce((sum, event) => sum + event.sale.amount, 0);
    const raw = { clicks: clicks.length, leads: leads.length, sales: sales.length, saleAmount };
    const counters = await apiJson(restored.origin, key, "GET", `/links/${link.id}`);
    assert.deepEqual(
      {
        clicks: counters.clicks,
        leads: counters.leads,
        sales: counters.sales,
        saleAmount: counters.saleAmount,
      },
      raw,
    );
    const rollups = await apiJson(
      restored.origin,
      key,
      "GET",
      `/analytics?event=composite&interval=all&linkId=${link.id}`,
    );
    assert.deepEqual(
      { clicks: rollups.clicks, leads: rollups.leads, sales: rollups.sales, saleAmount: rollups.saleAmount },
      raw,
    );
    const me = await new Browser(restored).login(user.email, user.password);
    assert.equal(me.workspaces[0].role, "owner", "users and their memberships are in the backup");
    assert.equal(await restored.stop(), 0);
  });
});

describe("clicktrail backup", () => {
  test("refuses to overwrite an existing file unless --force, and then replaces it with a verified copy", async () => {
    const { dir } = seeded();
    const target = join(tempDir(), "precious.sqlite");
    writeFileSync(target, "last week's backup\n");
    const refused = await cli(["backup", target], { DATA_DIR: dir });
    assert.equal(refused.status, EXIT.failure);
    assert.match(refused.stderr, /already exists and was left as it is.*--force/);
    assert.equal(readFileSync(target, "utf8"), "last week's backup\n");

    const forced = await cli(["backup", target, "--force"], { DATA_DIR: dir });
    assert.equal(forced.status, 0, forced.stderr);
    assert.match(
      forced.stdout,
      new RegExp(`Verified: quick_check ok; schema ${LATEST_SCHEMA}; 1 links, 150 clicks, 0 leads, 0 sales`),
    );
    assert.equal(clickCount(target), FIXTURE_CLICKS);
    assert.equal(statSync(target).mode & 0o777, 0o600, "readable by its owner only: it holds secrets");
    assert.deepEqual(readdirSync(join(target, "..")), ["precious.sqlite"], "no partial file left behind");
  });

  test("on PostgreSQL it copies nothing and points to pg_dump", async () => {
    const target = join(tempDir(), "pg.sqlite");
    const url = `postgres://clicktrail@127.0.0.1:${await freePort()}/clicktrail`; // nothing listens there
    const backup = await cli(["backup", target], { DATABASE_URL: url });
    assert.equal(backup.status, EXIT.failure);
    assert.match(backup.stderr, /PostgreSQL.*pg_dump.*docs\/reliability\.md/);
    assertOneParagraph(backup.stderr);
    assert.equal(existsSync(target), false);
    const restore = await cli(["restore", target], { DATABASE_URL: url });
    assert.equal(restore.status, EXIT.failure);
    assert.match(restore.stderr, /PostgreSQL.*pg_restore.*docs\/reliability\.md/);
  });
});

describe("clicktrail restore", () => {
  test("refuses while a server uses the data folder, and changes nothing", async () => {
    const { dir, key, linkKey, linkId } = seeded();
    const backupFile = join(tempDir(), "backup.sqlite");
    assert.equal((await cli(["backup", backupFile], { DATA_DIR: dir })).status, 0);
    const server = await startMain(serverEnv(dir));
    await clickIdAt(server.origin, linkKey);

    const refused = await cli(["restore", backupFile], { DATA_DIR: dir });
    assert.equal(refused.status, EXIT.busy, refused.stderr);
    assert.match(
      refused.stderr,
      /is open in another process.*stop it, then restore again\. Nothing was changed\./,
    );
    assert.deepEqual(
      readdirSync(dir).filter((name) => name.includes("restor")),
      [],
    );
    const link = await apiJson(server.origin, key, "GET", `/links/${linkId}`);
    assert.equal(link.clicks, FIXTURE_CLICKS + 1, "the server kept its data and keeps serving");
    await clickIdAt(server.origin, linkKey);
    assert.equal(await server.stop(), 0);

    const restored = await cli(["restore", backupFile, "--json"], { DATA_DIR: dir });
    assert.equal(restored.status, 0, restored.stderr);
    const report = JSON.parse(restored.stdout);
    assert.equal(report.counts.clicks, FIXTURE_CLICKS);
    assert.equal(clickCount(join(dir, DB)), FIXTURE_CLICKS);
    assert.equal(clickCount(report.keptAside), FIXTURE_CLICKS + 2, "the replaced database is kept, complete");
  });

  test("after a crash, the replaced database is kept with what its write-ahead log held", async () => {
    const { dir, linkKey } = seeded();
    const backupFile = join(tempDir(), "backup.sqlite");
    assert.equal((await cli(["backup", backupFile], { DATA_DIR: dir })).status, 0);
    const server = await startMain(serverEnv(dir));
    for (let i = 0; i < 20; i++) await clickIdAt(server.origin, linkKey);
    await server.kill();
    assert.ok(statSync(join(dir, `${DB}-wal`)).size > 0, "the crash left a write-ahead log");

    const restored = await cli(["restore", backupFile, "--json"], { DATA_DIR: dir });
    assert.equal(restored.status, 0, restored.stderr);
    const { keptAside } = JSON.parse(restored.stdout);
    assert.deepEqual(
      readdirSync(dir).sort(),
      [DB, keptAside.split("/").at(-1)].sort(),
      "no stale -wal or -shm",
    );
    assert.equal(clickCount(keptAside), FIXTURE_CLICKS + 20);
    assert.equal(clickCount(join(dir, DB)), FIXTURE_CLICKS);
    const again = await startMain(serverEnv(dir));
    assert.equal(await again.stop(), 0);
    assert.equal(
      clickCount(join(dir, DB)),
      FIXTURE_CLICKS,
      "no old log was replayed into the restored database",
    );
  });

  for (const [damage, apply] of Object.entries(DAMAGE)) {
    test(`refuses a backup that is ${damage}, and changes nothing`, async () => {
      const { dir } = seeded();
      const backupFile = join(tempDir(), "damaged.sqlite");
      assert.equal((await cli(["backup", backupFile], { DATA_DIR: dir })).status, 0);
      apply(backupFile);
      const live = sha256(join(dir, DB));
      const refused = await cli(["restore", backupFile], { DATA_DIR: dir });
      assert.equal(refused.status, EXIT.damaged, refused.stderr);
      assert.ok(refused.stderr.startsWith(`clicktrail restore: ${backupFile} is damaged: `), refused.stderr);
      assert.match(refused.stderr, WHAT_IS_WRONG[damage as keyof typeof DAMAGE]);
      assertOneParagraph(refused.stderr);
      assert.equal(sha256(join(dir, DB)), live);
      assert.deepEqual(
        readdirSync(dir).filter((name) => name !== "first-start.txt"),
        [DB],
      );
    });
  }

  test("refuses a backup written by a newer Clicktrail", async () => {
    const { dir } = seeded();
    const backupFile = join(tempDir(), "future.sqlite");
    assert.equal((await cli(["backup", backupFile], { DATA_DIR: dir })).status, 0);
    const db = new SQLite(backupFile);
    db.prepare("INSERT INTO kysely_migration (name, timestamp) VALUES ('9999_from_the_future', ?)").run(
      new Date().toISOString(),
    );
    db.close();
    const refused = await cli(["restore", backupFile], { DATA_DIR: dir });
    assert.equal(refused.status, EXIT.failure);
    assert.match(
      refused.stderr,
      /written by a newer version of Clicktrail .*9999_from_the_future.*Upgrade Clicktrail/,
    );
  });

  test("refuses a file that is a SQLite database but not Clicktrail's", async () => {
    const file = join(tempDir(), "other.sqlite");
    const db = new SQLite(file);
    db.exec("CREATE TABLE notes (body TEXT)");
    db.close();
    const refused = await cli(["restore", file], { DATA_DIR: join(tempDir(), "data") });
    assert.equal(refused.status, EXIT.failure);
    assert.match(refused.stderr, /is a SQLite database, but not a Clicktrail one/);
  });
});

describe("integrity check at start", () => {
  for (const [damage, apply] of Object.entries(DAMAGE)) {
    test(`a database ${damage}: the server and the CLI stop with a message and status 3, no stack trace`, async () => {
      const { dir } = seeded();
      const file = join(dir, DB);
      apply(file);
      const started = await runMainToExit({ DATA_DIR: dir });
      assert.equal(started.status, EXIT.damaged, started.stderr);
      assert.ok(started.stderr.startsWith(`clicktrail: the database ${file} is damaged: `), started.stderr);
      assert.match(started.stderr, WHAT_IS_WRONG[damage as keyof typeof DAMAGE]);
      assert.match(started.stderr, /restore your latest backup with `clicktrail restore FILE`/);
      assertOneParagraph(started.stderr);

      const listed = await cli(["workspaces", "list"], { DATA_DIR: dir });
      assert.equal(listed.status, EXIT.damaged, listed.stderr);
      assert.ok(listed.stderr.startsWith(`clicktrail: the database ${file} is damaged: `), listed.stderr);
      assertOneParagraph(listed.stderr);
    });
  }

  test("SQLITE_INTEGRITY_CHECK=off skips the check; damage SQLite trips over still ends with the message", async () => {
    const middle = seeded();
    corruptClicksPage(join(middle.dir, DB));
    const server = await startMain({ ...serverEnv(middle.dir), SQLITE_INTEGRITY_CHECK: "off" });
    assert.equal(await server.stop(), 0);

    const cut = seeded();
    DAMAGE["truncated in the middle"](join(cut.dir, DB));
    const started = await runMainToExit({ DATA_DIR: cut.dir, SQLITE_INTEGRITY_CHECK: "off" });
    assert.equal(started.status, EXIT.damaged, started.stderr);
    assert.match(started.stderr, WHAT_IS_WRONG["truncated in the middle"]);
    assertOneParagraph(started.stderr);
  });

  test("a damaged database is restored over: the damaged file is kept aside and the server starts again", async () => {
    const { dir, key, linkKey } = seeded();
    const backupFile = join(tempDir(), "good.sqlite");
    assert.equal((await cli(["backup", backupFile], { DATA_DIR: dir })).status, 0);
    DAMAGE["not a database at all"](join(dir, DB));
    assert.equal((await runMainToExit({ DATA_DIR: dir })).status, EXIT.damaged);

    const restored = await cli(["restore", backupFile, "--json"], { DATA_DIR: dir });
    assert.equal(restored.status, 0, restored.stderr);
    const report = JSON.parse(restored.stdout);
    assert.equal(report.replacedWasDamaged, true);
    assert.match(readFileSync(report.keptAside, "utf8"), /^name,clicks/);
    const server: ServerProcess = await startMain(serverEnv(dir));
    const clicks = await allEvents(server.origin, key, "clicks");
    assert.equal(clicks.length, FIXTURE_CLICKS);
    assert.equal(clicks[0].link.key, linkKey);
    assert.equal(await server.stop(), 0);
  });
});

test("clicktrail --help documents backup, restore and the exit statuses", async () => {
  const help = await cli(["backup", "--help"], {});
  assert.equal(help.status, 0);
  assert.match(help.stdout, /backup FILE \[--force\] \[--json\]/);
  assert.match(help.stdout, /3 a database file is damaged/);
  const restoreHelp = await cli(["restore", "--help"], {});
  assert.equal(restoreHelp.status, 0);
  assert.match(restoreHelp.stdout, /restore FILE \[--json\]/);
  const missing = await cli(["backup"], { DATA_DIR: join(tempDir(), "data") });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /backup needs the FILE/);
});
