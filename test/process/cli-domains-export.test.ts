// `clicktrail domains …` and `clicktrail links export`, run as child processes over real SQLite files.
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Dub } from "dub";
import { parseCsv } from "../helpers/csv.js";
import { clickIdAt } from "../helpers/journey.js";
import {
  cleanUp,
  cli,
  cliJson,
  ensureBuilt,
  install,
  type ServerProcess,
  startMain,
  tempDir,
} from "../helpers/processes.js";

before(ensureBuilt);
after(cleanUp);

/** No stack trace: a user's mistake is one line of explanation. */
const assertExplained = (stderr: string) => assert.doesNotMatch(stderr, /\n\s+at /, stderr);

type DomainJson = { id: string; slug: string; placeholder: string | null; notFoundUrl: string | null };

describe("clicktrail domains", { concurrency: 2 }, () => {
  test("add with its pages, list (JSON and text with link counts), add errors explained", async () => {
    const env = { DATA_DIR: tempDir() };
    await cliJson(["workspaces", "create", "--name", "One"], env);
    const added = await cliJson<DomainJson>(
      [
        "domains",
        "add",
        "Go.Example.com",
        "--placeholder",
        "https://example.com/home",
        "--not-found-url",
        "https://example.com/404",
        "--expired-url",
        "https://example.com/gone",
      ],
      env,
    );
    assert.match(added.id, /^dom_/);
    assert.equal(added.slug, "go.example.com");
    assert.equal(added.placeholder, "https://example.com/home");
    assert.equal(added.notFoundUrl, "https://example.com/404");
    await cliJson(["links", "create", "--url", "https://example.com/a", "--domain", "go.example.com"], env);

    const listed = await cliJson<DomainJson[]>(["domains", "list"], env);
    assert.deepEqual(
      listed.map((domain) => domain.slug),
      ["go.example.com"],
    );
    const text = await cli(["domains", "list"], env);
    assert.equal(text.status, 0, text.stderr);
    const [header, row] = text.stdout.trim().split("\n");
    assert.match(header, /^slug\s+links\s+archived\s+placeholder/);
    assert.match(row, /^go\.example\.com\s+1\s+false\s+https:\/\/example\.com\/home/);

    const again = await cli(["domains", "add", "go.example.com"], env);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /go\.example\.com is already in this workspace/);

    const badSlug = await cli(["domains", "add", "not a domain!"], env);
    assert.equal(badSlug.status, 1);
    assert.match(badSlug.stderr, /^clicktrail: not a domain! must be a host name\n$/);

    const badPage = await cli(["domains", "add", "b.example.com", "--placeholder", "ftp://x"], env);
    assert.equal(badPage.status, 1);
    assert.match(badPage.stderr, /--placeholder must be an absolute http/);

    const noSlug = await cli(["domains", "add"], env);
    assert.equal(noSlug.status, 2);
    assert.match(noSlug.stderr, /domains add needs one domain/);
    for (const run of [again, badSlug, badPage, noSlug]) assertExplained(run.stderr);
    assert.deepEqual(
      (await cliJson<DomainJson[]>(["domains", "list"], env)).map((domain) => domain.slug),
      ["go.example.com"],
    );
  });

  test("another workspace's domain is a refusal naming it; --workspace picks the workspace", async () => {
    const env = { DATA_DIR: tempDir() };
    const first = await cliJson<{ id: string }>(["workspaces", "create", "--name", "First"], env);
    const second = await cliJson<{ id: string }>(["workspaces", "create", "--name", "Second"], env);
    const unnamed = await cli(["domains", "add", "shared.example.com"], env);
    assert.equal(unnamed.status, 1);
    assert.match(unnamed.stderr, /There are 2 workspaces; name one with --workspace/);
    await cliJson(["domains", "add", "shared.example.com", "--workspace", first.id], env);
    const taken = await cli(["domains", "add", "shared.example.com", "--workspace", second.id], env);
    assert.equal(taken.status, 1);
    assert.match(taken.stderr, /shared\.example\.com is already in use by another workspace/);
    assertExplained(taken.stderr);
    assert.deepEqual(await cliJson(["domains", "list", "--workspace", second.id], env), []);
    const removed = await cli(["domains", "remove", "shared.example.com", "--workspace", second.id], env);
    assert.equal(removed.status, 1);
    assert.match(removed.stderr, /Domain not found/);
    assert.equal((await cliJson<unknown[]>(["domains", "list", "--workspace", first.id], env)).length, 1);
  });

  test("remove refuses while links would go, saying how many; --yes removes the domain and its links", async () => {
    const env = { DATA_DIR: tempDir() };
    await cliJson(["workspaces", "create", "--name", "One"], env);
    await cliJson(["domains", "add", "old.example.com"], env);
    await cliJson(["domains", "add", "empty.example.com"], env);
    const ids: string[] = [];
    for (const path of ["a", "b"])
      ids.push(
        (
          await cliJson<{ id: string }>(
            ["links", "create", "--url", `https://example.com/${path}`, "--domain", "old.example.com"],
            env,
          )
        ).id,
      );
    const kept = await cliJson<{ id: string }>(["links", "create", "--url", "https://example.com/kept"], env);

    const refused = await cli(["domains", "remove", "old.example.com"], env);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /old\.example\.com has 2 links; removing the domain deletes its links too/);
    assert.match(refused.stderr, /--yes/);
    assertExplained(refused.stderr);
    for (const id of ids) assert.equal((await cli(["links", "get", id], env)).status, 0);

    const empty = await cliJson<{ slug: string; deletedLinks: number }>(
      ["domains", "remove", "empty.example.com"],
      env,
    );
    assert.deepEqual(empty, { slug: "empty.example.com", deletedLinks: 0 });

    const removed = await cli(["domains", "remove", "old.example.com", "--yes"], env);
    assert.equal(removed.status, 0, removed.stderr);
    assert.equal(removed.stdout, "Removed old.example.com and its 2 links\n");
    for (const id of ids) {
      const gone = await cli(["links", "get", id], env);
      assert.equal(gone.status, 1);
      assert.match(gone.stderr, /Link not found/);
    }
    assert.equal((await cli(["links", "get", kept.id], env)).status, 0);
    assert.deepEqual(await cliJson(["domains", "list"], env), []);
  });
});

describe("clicktrail links export", () => {
  let dir: string;
  let env: Record<string, string>;
  let server: ServerProcess;
  let dub: Dub;
  let key: string;
  // biome-ignore lint/suspicious/noExplicitAny: Dub's link JSON, compared field by field
  const made: Record<string, any> = {};
  let folderId: string;

  before(async () => {
    dir = tempDir();
    env = { DATA_DIR: dir };
    key = await install(env);
    server = await startMain({ ...env, RATE_LIMIT_PER_MINUTE: "1000000" });
    dub = new Dub({ token: key, serverURL: `${server.origin}/api` });
    await dub.domains.create({ slug: "go.example.com" });
    const alpha = await dub.tags.create({ name: "alpha", color: "red" });
    const beta = await dub.tags.create({ name: "beta", color: "green" });
    folderId = (await dub.folders.create({ name: "Spring" })).id;
    made.full = await dub.links.create({
      url: 'https://shop.example.com/p?a=1,b="2"',
      domain: "go.example.com",
      key: "full",
      externalId: "ext-1",
      tenantId: "tenant-1",
      title: 'Spring, "sale"',
      description: "line one\nline two",
      comments: "=1+1",
      tagIds: [alpha.id, beta.id],
      folderId,
      utmSource: "news",
      utmMedium: "email",
      utmCampaign: "spring",
      utmTerm: "shoes",
      utmContent: "hero",
      expiresAt: "2030-01-01T00:00:00.000Z",
      trackConversion: true,
    });
    made.plain = await dub.links.create({
      url: "https://example.com/plain",
      key: "plain",
      trackConversion: true,
    });
    made.archived = await dub.links.create({ url: "https://example.com/old", key: "old", archived: true });
    await clickIdAt(server.origin, "plain");
    for (const name of ["full", "plain"]) made[name] = await rawLink(made[name].id);
  });

  after(() => server?.stop());

  const rawLink = async (id: string) =>
    (await fetch(`${server.origin}/api/links/${id}`, { headers: { authorization: `Bearer ${key}` } })).json();

  /** Dub's link JSON of a link, as GET /links/{id} gives it, in the CSV's terms. */
  const csvOf = (link: Record<string, unknown>) => ({
    ...Object.fromEntries(
      Object.entries(link).map(([name, value]) => [name, value === null ? "" : String(value)]),
    ),
    tags: (link.tags as { name: string }[]).map((tag) => tag.name).join("|"),
  });

  const exported = async (...args: string[]) => {
    const run = await cli(["links", "export", ...args], env);
    assert.equal(run.status, 0, run.stderr);
    return run;
  };

  test("CSV on stdout: the link JSON's names and values, tags joined with |, every link, stdout only data", async () => {
    const run = await exported();
    assert.equal(run.stderr, "");
    const [header, ...rows] = parseCsv(run.stdout);
    assert.deepEqual(header, [
      "url",
      "domain",
      "key",
      "shortLink",
      "externalId",
      "tenantId",
      "title",
      "description",
      "image",
      "comments",
      "tags",
      "folderId",
      "utm_source",
      "utm_medium",
      "utm_campaign",
      "utm_term",
      "utm_content",
      "expiresAt",
      "expiredUrl",
      "archived",
      "trackConversion",
      "clicks",
      "leads",
      "sales",
      "saleAmount",
      "createdAt",
    ]);
    const byKey = new Map(
      rows.map((row) => [row[2], Object.fromEntries(header.map((name, i) => [name, row[i]]))]),
    );
    assert.deepEqual([...byKey.keys()].sort(), ["full", "old", "plain"]);
    const full = byKey.get("full") as Record<string, string>;
    const expected = { ...csvOf(made.full), comments: "'=1+1" };
    for (const name of header) assert.equal(full[name], expected[name as keyof typeof expected], name);
    assert.equal(full.tags, "alpha|beta");
    assert.deepEqual(
      [full.utm_source, full.utm_content, full.expiresAt, full.externalId, full.comments],
      ["news", "hero", "2030-01-01T00:00:00.000Z", "ext-1", "'=1+1"],
    );
    assert.equal(byKey.get("plain")?.clicks, "1");
    assert.equal(full.description, "line one\nline two");
    assert.equal(byKey.get("old")?.archived, "true");
  });

  test("filters: --domain, --tag, --folder, --archived exclude|only; an unknown folder is refused", async () => {
    const keysOf = (run: { stdout: string }) =>
      parseCsv(run.stdout)
        .slice(1)
        .map((row) => row[2])
        .sort();
    assert.deepEqual(keysOf(await exported("--domain", "go.example.com")), ["full"]);
    assert.deepEqual(keysOf(await exported("--tag", "beta")), ["full"]);
    assert.deepEqual(keysOf(await exported("--folder", folderId)), ["full"]);
    assert.deepEqual(keysOf(await exported("--archived", "exclude")), ["full", "plain"]);
    assert.deepEqual(keysOf(await exported("--archived", "only")), ["old"]);
    const unknown = await cli(["links", "export", "--folder", "fold_nope"], env);
    assert.equal(unknown.status, 1);
    assert.equal(unknown.stdout, "");
    assert.match(unknown.stderr, /Folder not found/);
    const badArchived = await cli(["links", "export", "--archived", "toString"], env);
    assert.equal(badArchived.status, 2);
    const badFormat = await cli(["links", "export", "--format", "xml"], env);
    assert.equal(badFormat.status, 2);
    assert.match(badFormat.stderr, /--format must be one of csv, json/);
  });

  test("--format json: an array of Dub's link JSON", async () => {
    const run = await exported("--format", "json", "--archived", "exclude");
    const links = JSON.parse(run.stdout) as Record<string, unknown>[];
    const full = links.find((link) => link.key === "full");
    assert.deepEqual({ ...full, updatedAt: null }, { ...made.full, updatedAt: null });
    assert.equal(links.length, 2);
  });

  test("--output FILE: the same CSV in the file, the count on stderr, nothing on stdout; never over a file without --force", async () => {
    const file = join(dir, "links.csv");
    const run = await exported("--output", file);
    assert.equal(run.stdout, "");
    assert.equal(run.stderr, `Exported 3 links to ${file}\n`);
    assert.equal(readFileSync(file, "utf8"), (await exported()).stdout);
    assert.equal(existsSync(`${file}.partial`), false);

    writeFileSync(file, "keep me");
    const refused = await cli(["links", "export", "--output", file], env);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /already exists; add --force/);
    assert.equal(readFileSync(file, "utf8"), "keep me");
    const nowhere = await cli(["links", "export", "--output", join(dir, "missing", "links.csv")], env);
    assert.equal(nowhere.status, 1);
    assert.equal(nowhere.stderr, `clicktrail: cannot write ${join(dir, "missing", "links.csv")}: ENOENT\n`);
    const badFolder = await cli(
      ["links", "export", "--output", join(dir, "b.csv"), "--folder", "fold_x"],
      env,
    );
    assert.equal(badFolder.status, 1);
    assert.equal(existsSync(join(dir, "b.csv.partial")), false);
    assert.equal(existsSync(join(dir, "b.csv")), false);
    const forced = await cli(["links", "export", "--output", file, "--force", "--json"], env);
    assert.equal(forced.status, 0, forced.stderr);
    assert.deepEqual(JSON.parse(forced.stdout), { output: file, format: "csv", links: 3 });
  });

  test("an export imports back: the same link, formula guard taken off, tags, folder and UTM kept", async () => {
    const file = join(dir, "round-trip.csv");
    await exported("--domain", "go.example.com", "--output", file);
    await dub.links.delete(made.full.id);
    const run = await cli(["links", "import", file], env);
    assert.equal(run.status, 0, run.stderr);
    const again = (await rawLink(`ext_${made.full.externalId}`)) as Record<string, unknown>;
    assert.notEqual(again.id, made.full.id);
    const kept = (link: Record<string, unknown>) => {
      const { id, createdAt, updatedAt, clicks, lastClicked, shortLink, qrCode, ...rest } = link;
      return rest;
    };
    assert.deepEqual(kept(again), kept(made.full));
    assert.equal(again.comments, "=1+1");
    made.full = again;
  });

  test("more links than one batch: each exactly once", async () => {
    const created = new Set<string>();
    for (let start = 0; start < 1_050; start += 100) {
      const items = Array.from({ length: Math.min(100, 1_050 - start) }, (_, i) => ({
        url: `https://example.com/many/${start + i}`,
      }));
      for (const link of await dub.links.createMany(items)) if ("key" in link) created.add(link.key);
    }
    assert.equal(created.size, 1_050);
    const rows = parseCsv((await exported("--archived", "exclude")).stdout).slice(1);
    const keys = rows.map((row) => row[2]);
    assert.equal(keys.length, 1_052);
    assert.equal(new Set(keys).size, keys.length);
    for (const created_ of created) assert.ok(keys.includes(created_), created_);
  });
});
