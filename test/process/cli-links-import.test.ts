// `clicktrail links import FILE.csv`, run as a child process beside a running server over the same SQLite file:
// good rows are created (a hundred per transaction) and served, each bad row is reported with its number and
// reason without stopping the others, progress goes to stderr, and any failed row ends the command with status 1.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Dub } from "dub";
import { EXIT_FAILURE } from "../../src/exit-codes.js";
import { csvRecord } from "../../src/wire/csv.js";
import {
  cleanUp,
  cli,
  cliJson,
  ensureBuilt,
  type ServerProcess,
  startMain,
  tempDir,
} from "../helpers/processes.js";

before(ensureBuilt);
after(cleanUp);

const HEADER = ["url", "key", "domain", "title", "tags", "externalId", "utm_source", "folderId", "comments"];
const HEADER_MORE = [...HEADER, "expiresAt", "trackConversion", "clicks", "shortLink"];

describe("clicktrail links import", () => {
  let env: Record<string, string>;
  let server: ServerProcess;
  let dub: Dub;
  let workspaceId: string;
  let theirs: Dub;
  let theirTag: string;

  before(async () => {
    env = { DATA_DIR: tempDir() };
    workspaceId = (await cliJson<{ id: string }>(["workspaces", "create", "--name", "Importer"], env)).id;
    const key = (await cliJson<{ key: string }>(["keys", "create", "--workspace", workspaceId], env)).key;
    const other = (await cliJson<{ id: string }>(["workspaces", "create", "--name", "Other"], env)).id;
    const otherKey = (await cliJson<{ key: string }>(["keys", "create", "--workspace", other], env)).key;
    server = await startMain(env);
    dub = new Dub({ token: key, serverURL: `${server.origin}/api` });
    theirs = new Dub({ token: otherKey, serverURL: `${server.origin}/api` });
    theirTag = (await theirs.tags.create({ name: "Private", color: "red" })).id;
  });
  after(async () => {
    await server?.stop();
  });

  test("good rows are created and served; each bad row is reported by number and reason; status 1", async () => {
    const tag = await dub.tags.create({ name: "Spring", color: "green" });
    await dub.tags.create({ name: "Launch", color: "blue" });
    const folder = await dub.folders.create({ name: "Imported" });
    await dub.links.create({ url: "https://example.com/taken", key: "taken" });
    const rows: string[][] = [];
    for (let i = 0; i < 230; i++)
      rows.push([`https://example.com/p/${i}`, `p${i}`, "", "", "", "", "", "", ""]);
    rows[0] = [
      "https://example.com/first",
      "first",
      "",
      "First, with a comma",
      "spring|Launch",
      "ext-1",
      "mail",
      folder.id,
      "two\nlines",
    ];
    const bad = new Map<number, [string[], RegExp]>([
      [1, [["ftp://example.com/x", "bad-url", "", "", "", "", "", "", ""], /Invalid destination URL/]],
      [57, [["https://example.com/dup", "p3", "", "", "", "", "", "", ""], /Duplicate key: the key "p3"/]],
      [
        120,
        [["https://example.com/t", "taken", "", "", "", "", "", "", ""], /Duplicate key: the key "taken"/],
      ],
      [
        150,
        [
          ["https://example.com/tag", "their-tag", "", "", theirTag, "", "", "", ""],
          /Invalid tagNames detected/,
        ],
      ],
      [
        201,
        [["https://example.com/f", "no-folder", "", "", "", "", "", "fold_nope", ""], /Folder not found\./],
      ],
      [
        229,
        [
          ["https://example.com/e", "ext-again", "", "", "", "ext-1", "", "", ""],
          /externalId "ext-1" already exists/,
        ],
      ],
    ]);
    for (const [index, [row]] of bad) rows[index] = row;
    const file = join(env.DATA_DIR, "links.csv");
    writeFileSync(file, `\uFEFF${[HEADER, ...rows].map(csvRecord).join("")}`);

    const run = await cli(["links", "import", file, "--workspace", workspaceId], env);
    assert.equal(run.status, EXIT_FAILURE, run.stderr);
    for (const [index, [, reason]] of bad) {
      // Row numbers count the header as row 1; the first data row's field holds a line break.
      const row = index + 2;
      const line = index === 0 ? 2 : index + 3;
      const reported = run.stderr.split("\n").find((text) => text.startsWith(`row ${row} (line ${line}): `));
      assert.ok(reported, `row ${row} reported in: ${run.stderr}`);
      assert.match(reported, reason);
    }
    assert.equal(run.stderr.match(/^row \d+/gm)?.length, bad.size, run.stderr);
    assert.match(run.stderr, /^imported +230 \/ 230 +100% .* 6 failed$/m, "progress: rows done of all");
    assert.equal(run.stdout.trim(), "224 of 230 links created; 6 rows failed (listed above)");

    assert.equal(await dub.links.count({}), 225, "224 imported beside the one there was");
    const first = await dub.links.get({ externalId: "ext-1" });
    assert.equal(first.key, "first");
    assert.equal(first.title, "First, with a comma");
    assert.equal(first.comments, "two\nlines");
    assert.equal(first.url, "https://example.com/first?utm_source=mail");
    assert.equal(first.folderId, folder.id);
    // In the order the cell names them ("spring|Launch"), matched whatever their case.
    assert.deepEqual(
      first.tags?.map((t) => t.name),
      ["Spring", "Launch"],
    );
    assert.equal(first.tags?.[0].id, tag.id);
    const redirect = await fetch(`${server.origin}/p229`, { redirect: "manual" });
    assert.equal(redirect.status, 404, "row 231 failed");
    const served = await fetch(`${server.origin}/p228`, { redirect: "manual" });
    assert.equal(served.status, 302);
    assert.equal(served.headers.get("location"), "https://example.com/p/228");
    assert.equal(await theirs.links.count({}), 0, "nothing in the other workspace");
  });

  test("--dry-run checks every row and writes nothing; --json reports; without failures status 0", async () => {
    const file = join(env.DATA_DIR, "dry.csv");
    writeFileSync(
      file,
      [
        HEADER_MORE,
        [
          "https://example.com/d1",
          "dry-1",
          "",
          "",
          "",
          "",
          "",
          "",
          "",
          "2031-05-01T10:00:00Z",
          "true",
          "12",
          "x",
        ],
        ["https://example.com/d2", "", "", "", "", "", "", "", "", "", "no", "", ""],
        ["https://example.com/d3", "taken", "", "", "", "", "", "", "", "", "maybe", "", ""],
      ]
        .map(csvRecord)
        .join(""),
    );
    const before = await dub.links.count({});
    const run = await cli(["links", "import", file, "--workspace", workspaceId, "--dry-run", "--json"], env);
    assert.equal(run.status, EXIT_FAILURE);
    assert.match(run.stderr, /Ignoring columns that are no link field: clicks, shortLink/);
    assert.deepEqual(JSON.parse(run.stdout), {
      rows: 3,
      created: 2,
      failed: [
        {
          row: 4,
          line: 4,
          code: "unprocessable_entity",
          error: 'trackConversion: "maybe" is not true or false',
        },
      ],
      dryRun: true,
    });
    assert.equal(await dub.links.count({}), before, "a dry run writes nothing");

    writeFileSync(
      file,
      [HEADER_MORE.slice(0, 2), ["https://example.com/d1", "dry-1"]].map(csvRecord).join(""),
    );
    const dry = await cli(["links", "import", file, "--workspace", workspaceId, "--dry-run"], env);
    assert.equal(dry.status, 0, dry.stderr);
    assert.equal(dry.stdout.trim(), "1 of 1 links would be created (dry run: nothing was written)");
    const real = await cli(["links", "import", file, "--workspace", workspaceId], env);
    assert.equal(real.status, 0, real.stderr);
    const imported = (await dub.links.list({ search: "dry-1" })).result;
    assert.deepEqual(
      imported.map((link) => link.url),
      ["https://example.com/d1"],
    );
  });

  test("a file that cannot be read as links is refused before anything is written", async () => {
    const dir = env.DATA_DIR;
    const cases: [string, string, RegExp][] = [
      ["no-url.csv", "key,title\r\na,b\r\n", /has no url column/],
      [
        "open-quote.csv",
        'url,title\r\nhttps://example.com,"never closed\r\n',
        /line 2 has a quoted field that is never closed/,
      ],
      ["empty.csv", "", /is empty/],
    ];
    for (const [name, text, message] of cases) {
      writeFileSync(join(dir, name), text);
      const run = await cli(["links", "import", join(dir, name), "--workspace", workspaceId], env);
      assert.equal(run.status, EXIT_FAILURE, name);
      assert.match(run.stderr, message, name);
    }
    const missing = await cli(["links", "import", join(dir, "nope.csv"), "--workspace", workspaceId], env);
    assert.equal(missing.status, EXIT_FAILURE);
    assert.match(missing.stderr, /cannot read .*nope\.csv/);
    const usage = await cli(["links", "import"], env);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /links import needs one FILE\.csv/);
  });
});
