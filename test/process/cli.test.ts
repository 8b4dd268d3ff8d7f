// The compiled command line and server entry point, run as child processes over real SQLite files.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { connect, createServer as createNetServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import SQLite from "better-sqlite3";
import { PASSWORD_ATTEMPTS_PER_MINUTE } from "../../src/domain/clicks/password-gate.js";
import {
  CLI,
  cleanUp,
  cli,
  cliJson,
  ensureBuilt,
  freePort,
  MAIN,
  ROOT,
  runMainToExit,
  spawnChild,
  startMain,
  tempDir,
  until,
} from "../helpers/processes.js";
import { rejection } from "../helpers/rejection.js";

const KEY_PATTERN = /^dub_[0-9A-Za-z]{24}$/;

before(ensureBuilt);
after(cleanUp);

/** The key of a first start whose stdout is not a terminal: in DATA_DIR/first-start.txt, never in the log. */
async function firstStartKey(dir: string): Promise<string> {
  const file = join(dir, "first-start.txt");
  await until(() => existsSync(file), "first-start.txt");
  const key = readFileSync(file, "utf8").match(/dub_[0-9A-Za-z]{24}/)?.[0] ?? "";
  assert.match(key, KEY_PATTERN);
  return key;
}

const listLinks = (origin: string, key: string) =>
  fetch(`${origin}/api/links`, { headers: { authorization: `Bearer ${key}` } });

const filesOf = (dir: string) => Buffer.concat(readdirSync(dir).map((name) => readFileSync(join(dir, name))));

describe("clicktrail workspaces and keys", { concurrency: 3 }, () => {
  test("workspaces create --json prints {id, name, slug}", async () => {
    const env = { DATA_DIR: tempDir() };
    const workspace = await cliJson<Record<string, unknown>>(
      ["workspaces", "create", "--name", "Acme Inc"],
      env,
    );
    assert.deepEqual(Object.keys(workspace).sort(), ["id", "name", "slug"]);
    assert.match(String(workspace.id), /^ws_[0-9A-Z]{26}$/);
    assert.equal(workspace.name, "Acme Inc");
    assert.equal(workspace.slug, "acme-inc");
    const listed = await cliJson<{ id: string; name: string; slug: string }[]>(["workspaces", "list"], env);
    assert.deepEqual(
      listed.map((w) => [w.id, w.name, w.slug]),
      [[workspace.id, "Acme Inc", "acme-inc"]],
    );
  });

  test("workspaces create without --name is a usage error", async () => {
    const result = await cli(["workspaces", "create"], { DATA_DIR: tempDir() });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--name/);
    assert.match(result.stderr, /Usage: clicktrail/);
  });

  test("keys create --json prints {key, id, workspaceId, kind}; only the key's SHA-256 is stored", async () => {
    const dir = tempDir();
    const env = { DATA_DIR: dir };
    const workspace = await cliJson<{ id: string }>(["workspaces", "create", "--name", "Keys"], env);
    const created = await cliJson<Record<string, string>>(["keys", "create"], env);
    assert.deepEqual(Object.keys(created).sort(), ["id", "key", "kind", "workspaceId"]);
    assert.equal(created.kind, "secret");
    assert.match(created.key, KEY_PATTERN);
    assert.match(created.id, /^key_/);
    assert.equal(created.workspaceId, workspace.id);

    const bytes = filesOf(dir);
    const hash = createHash("sha256").update(created.key).digest("hex");
    assert.ok(bytes.includes(hash), "the SHA-256 of the key is stored");
    assert.ok(!bytes.includes(created.key), "the key itself appears nowhere in the data directory");
    assert.ok(!bytes.includes(created.key.slice(4)), "nor does its secret part");
  });

  test("keys create --publishable prints a dub_pk_ key once, stores its SHA-256 only, and keys list names its kind", async () => {
    const dir = tempDir();
    const env = { DATA_DIR: dir };
    await cliJson(["workspaces", "create", "--name", "Site"], env);
    const created = await cliJson<Record<string, string>>(["keys", "create", "--publishable"], env);
    assert.match(created.key, /^dub_pk_[0-9A-Za-z]{24}$/);
    assert.equal(created.kind, "publishable");
    const bytes = filesOf(dir);
    assert.ok(
      bytes.includes(createHash("sha256").update(created.key).digest("hex")),
      "the SHA-256 is stored",
    );
    assert.ok(!bytes.includes(created.key.slice(7)), "the key's secret part appears nowhere");
    const listed = await cliJson<{ id: string; kind: string; key: string }[]>(["keys", "list"], env);
    assert.deepEqual(
      listed.map(({ id, kind }) => ({ id, kind })),
      [{ id: created.id, kind: "publishable" }],
    );
    assert.ok(!listed[0].key.includes(created.key.slice(10, 20)), "most of the key was printed");
    const scoped = await cli(["keys", "create", "--publishable", "--scopes", "links.read"], env);
    assert.notEqual(scoped.status, 0);
    assert.match(scoped.stderr, /publishable key takes no scopes/);
    const help = await cli(["keys", "--help"], {});
    assert.match(help.stdout, /--publishable/);
  });

  test("keys create with an unknown scope fails and lists the known scopes", async () => {
    const env = { DATA_DIR: tempDir() };
    await cliJson(["workspaces", "create", "--name", "Scopes"], env);
    const result = await cli(["keys", "create", "--scopes", "links.read bogus", "--json"], env);
    assert.notEqual(result.status, 0);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /bogus/);
    for (const scope of ["links.read", "links.write", "analytics.read", "apis.all"])
      assert.ok(result.stderr.includes(scope), scope);
    assert.deepEqual(await cliJson<unknown[]>(["keys", "list"], env), [], "no key was created");
  });

  test("keys create with an unknown scope on an empty install creates neither a workspace nor a key", async () => {
    const env = { DATA_DIR: tempDir() };
    const result = await cli(["keys", "create", "--scopes", "links.nope"], env);
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /links\.nope.*links\.read/);
    assert.deepEqual(await cliJson<unknown[]>(["workspaces", "list"], env), []);
    assert.deepEqual(await cliJson<unknown[]>(["keys", "list"], env), []);
  });

  test("keys create --scopes stores the scopes; keys list never prints a full key", async () => {
    const env = { DATA_DIR: tempDir() };
    await cliJson(["workspaces", "create", "--name", "List"], env);
    const scoped = await cliJson<{ key: string; id: string }>(
      ["keys", "create", "--scopes", "links.read links.write", "--name", "CI"],
      env,
    );
    const open = await cliJson<{ key: string; id: string }>(["keys", "create"], env);
    const text = await cli(["keys", "list"], env);
    assert.equal(text.status, 0);
    const json = await cliJson<{ id: string; name: string; key: string; scopes: string[] | null }[]>(
      ["keys", "list"],
      env,
    );
    for (const output of [text.stdout, JSON.stringify(json)]) {
      for (const { key } of [scoped, open]) {
        assert.ok(!output.includes(key), "a full key was printed");
        assert.ok(!output.includes(key.slice(4, 24)), "most of a key was printed");
      }
    }
    const byId = new Map(json.map((row) => [row.id, row]));
    assert.deepEqual(byId.get(scoped.id)?.scopes, ["links.read", "links.write"]);
    assert.equal(byId.get(open.id)?.scopes, null, "an unrestricted key's scopes are null in JSON");
    assert.match(text.stdout, /\(all\)/, "and (all) on the terminal");
    assert.equal(byId.get(scoped.id)?.name, "CI");
    assert.ok(byId.get(open.id), "both keys are listed");
    assert.ok(text.stdout.includes(scoped.id) && text.stdout.includes(open.id));
  });

  test("keys create --user stores the member the key acts as; a non-member is refused (ADR 24)", async () => {
    const env = { DATA_DIR: tempDir() };
    const ws = await cliJson<{ id: string }>(["workspaces", "create", "--name", "Team"], env);
    const member = await cliJson<{ id: string }>(
      [
        "users",
        "create",
        "--email",
        "Mia@Example.com",
        "--password",
        "a member password",
        "--role",
        "member",
      ],
      env,
    );
    const key = await cliJson<{ id: string }>(["keys", "create", "--user", "mia@example.com"], env);
    const listed = await cliJson<{ id: string; userId: string | null }[]>(["keys", "list"], env);
    assert.equal(listed.find((row) => row.id === key.id)?.userId, member.id);
    const db = new SQLite(join(env.DATA_DIR, "clicktrail.sqlite"), { readonly: true });
    const row = db.prepare("SELECT user_id, workspace_id FROM api_keys WHERE id = ?").get(key.id);
    db.close();
    assert.deepEqual(row, { user_id: member.id, workspace_id: ws.id });
    const stranger = await cli(["keys", "create", "--user", "nobody@example.com"], env);
    assert.notEqual(stranger.status, 0);
    assert.match(stranger.stderr, /No user with the email or id nobody@example\.com/);
  });

  test("keys create needs --workspace once there are several workspaces, and refuses an unknown one", async () => {
    const env = { DATA_DIR: tempDir() };
    const first = await cliJson<{ id: string }>(["workspaces", "create", "--name", "One"], env);
    await cliJson(["workspaces", "create", "--name", "Two"], env);
    const ambiguous = await cli(["keys", "create"], env);
    assert.notEqual(ambiguous.status, 0);
    assert.match(ambiguous.stderr, /--workspace/);
    const unknown = await cli(["keys", "create", "--workspace", "ws_nope"], env);
    assert.notEqual(unknown.status, 0);
    assert.match(unknown.stderr, /ws_nope/);
    assert.equal(
      (await cliJson<{ workspaceId: string }>(["keys", "create", "--workspace", first.id], env)).workspaceId,
      first.id,
    );
  });

  test("keys revoke of an unknown id fails; an unknown command is a usage error", async () => {
    const env = { DATA_DIR: tempDir() };
    const revoke = await cli(["keys", "revoke", "key_missing"], env);
    assert.equal(revoke.status, 1);
    assert.match(revoke.stderr, /key_missing/);
    const unknown = await cli(["frobnicate"], env);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown command: frobnicate/);
  });

  test("migrate applies the migrations once", async () => {
    const env = { DATA_DIR: tempDir() };
    const first = await cliJson<{ applied: string[] }>(["migrate"], env);
    assert.ok(first.applied.length > 0);
    assert.deepEqual(await cliJson<{ applied: string[] }>(["migrate"], env), { applied: [] });
  });
});

describe("clicktrail help, version and usage errors", { concurrency: 3 }, () => {
  test("--help lists every command and exits 0; --version prints the package version", async () => {
    const help = await cli(["--help"], {});
    assert.equal(help.status, 0);
    for (const command of ["serve", "migrate", "workspaces", "keys", "links", "fx", "webhooks"])
      assert.match(help.stdout, new RegExp(`^  ${command} `, "m"), command);
    for (const command of ["short-domain", "stats", "copy", "backup", "restore"])
      assert.match(help.stdout, new RegExp(`^  ${command} `, "m"), command);
    assert.ok(
      readFileSync(join(ROOT, "README.md"), "utf8").includes(`\`\`\`\n${help.stdout}\`\`\``),
      "the README's Command line section is clicktrail --help",
    );
    const version = await cli(["--version"], {});
    assert.equal(version.status, 0);
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    assert.equal(version.stdout, `${manifest.version}\n`);
  });

  test("<command> --help and <command> <action> --help print that command's usage only, exit 0", async () => {
    for (const args of [
      ["keys", "--help"],
      ["keys", "create", "--help"],
      ["links", "list", "-h"],
    ]) {
      const help = await cli(args, {});
      assert.equal(help.status, 0, args.join(" "));
      assert.match(help.stdout, new RegExp(`^  clicktrail ${args[0]} `, "m"));
      assert.doesNotMatch(help.stdout, /clicktrail (serve|copy|fx) /, "only this command's usage");
      assert.equal(help.stderr, "");
    }
  });

  test("a command without its action, an unknown action or option: exit 2 with that command's usage", async () => {
    const env = { DATA_DIR: tempDir() };
    const bare = await cli(["keys"], env);
    assert.equal(bare.status, 2);
    assert.match(bare.stderr, /^clicktrail: keys needs one of: create, list, revoke\n/);
    assert.match(bare.stderr, /clicktrail keys revoke ID/);
    assert.doesNotMatch(bare.stderr, /unknown command/);
    const action = await cli(["links", "rename"], env);
    assert.equal(action.status, 2);
    assert.match(action.stderr, /unknown action: links rename/);
    assert.match(action.stderr, /clicktrail links create --url URL/);
    const option = await cli(["keys", "list", "--bogus"], env);
    assert.equal(option.status, 2);
    assert.match(option.stderr, /unknown option: --bogus/);
    assert.match(option.stderr, /clicktrail keys list/);
    const extra = await cli(["stats", "now"], env);
    assert.equal(extra.status, 2);
    assert.equal(bare.stdout + action.stdout + option.stdout + extra.stdout, "");
  });

  test("webhooks test of an unknown webhook fails with its id", async () => {
    const run = await cli(["webhooks", "test", "wh_missing"], { DATA_DIR: tempDir() });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /No webhook wh_missing/);
  });
});

describe("clicktrail links", { concurrency: 3 }, () => {
  type WireLink = {
    id: string;
    domain: string;
    key: string;
    url: string;
    shortLink: string;
    trackConversion: boolean;
  };

  test("create, list, get by id and by DOMAIN/KEY, delete: Dub's link JSON, the API's rules", async () => {
    const env = { DATA_DIR: tempDir(), PORT: "8123" };
    const workspace = await cliJson<{ id: string }>(["workspaces", "create", "--name", "Links"], env);
    const created = await cliJson<WireLink & Record<string, unknown>>(
      ["links", "create", "--url", "https://example.com/pricing", "--key", "pricing", "--track-conversion"],
      env,
    );
    assert.equal(created.domain, "localhost:8123", "the default short domain");
    assert.equal(created.shortLink, "http://localhost:8123/pricing");
    assert.equal(created.trackConversion, true);
    assert.equal(created.workspaceId, workspace.id);
    for (const field of ["tags", "qrCode", "utm_source", "clicks", "createdAt"])
      assert.ok(field in created, field);

    const listed = await cliJson<WireLink[]>(["links", "list"], env);
    assert.deepEqual(
      listed.map((link) => link.id),
      [created.id],
    );
    const table = await cli(["links", "list"], env);
    assert.match(table.stdout, /^id +shortLink +url +clicks +leads +sales +createdAt$/m);
    assert.match(table.stdout, /http:\/\/localhost:8123\/pricing +https:\/\/example\.com\/pricing/);
    assert.deepEqual(await cliJson<WireLink[]>(["links", "list", "--search", "nothing-like-it"], env), []);

    assert.equal((await cliJson<WireLink>(["links", "get", created.id], env)).id, created.id);
    assert.equal((await cliJson<WireLink>(["links", "get", "localhost:8123/pricing"], env)).id, created.id);

    const duplicate = await cli(
      ["links", "create", "--url", "https://example.com/x", "--key", "pricing"],
      env,
    );
    assert.equal(duplicate.status, 1);
    assert.match(duplicate.stderr, /the key "pricing" is already in use on the domain localhost:8123/);
    const invalid = await cli(["links", "create", "--url", "ftp://example.com"], env);
    assert.equal(invalid.status, 1);
    assert.match(invalid.stderr, /--url Invalid destination URL/);
    const noUrl = await cli(["links", "create"], env);
    assert.equal(noUrl.status, 2);
    assert.match(noUrl.stderr, /links create needs --url URL/);

    assert.deepEqual(await cliJson(["links", "delete", created.id], env), { id: created.id });
    const gone = await cli(["links", "get", created.id], env);
    assert.equal(gone.status, 1);
    assert.match(gone.stderr, /Link not found/);
  });

  test("a custom domain belongs to the workspace that used it first; --workspace picks the workspace", async () => {
    const env = { DATA_DIR: tempDir() };
    const one = await cliJson<{ id: string }>(["workspaces", "create", "--name", "One"], env);
    const two = await cliJson<{ id: string }>(["workspaces", "create", "--name", "Two"], env);
    const ambiguous = await cli(["links", "list"], env);
    assert.equal(ambiguous.status, 1);
    assert.match(ambiguous.stderr, /--workspace/);
    const mine = await cliJson<WireLink>(
      ["links", "create", "--workspace", one.id, "--url", "https://example.com", "--domain", "go.one.test"],
      env,
    );
    assert.equal(mine.domain, "go.one.test");
    const theirs = await cli(
      ["links", "create", "--workspace", two.id, "--url", "https://example.com", "--domain", "go.one.test"],
      env,
    );
    assert.equal(theirs.status, 1);
    assert.match(theirs.stderr, /Domain does not belong to workspace\./);
    assert.deepEqual(await cliJson(["links", "list", "--workspace", two.id], env), []);
    const other = await cli(["links", "get", mine.id, "--workspace", two.id], env);
    assert.equal(other.status, 1);
  });
});

describe("the server process", () => {
  test("first start without a terminal writes the key to first-start.txt (0600), logs only its path; a second start writes none", async () => {
    const dir = tempDir();
    const first = await startMain({ DATA_DIR: dir, LOG_LEVEL: "info" });
    const key = await firstStartKey(dir);
    const file = join(dir, "first-start.txt");
    assert.equal(statSync(file).mode & 0o777, 0o600, "readable by its owner only");
    assert.match(readFileSync(file, "utf8"), /workspace {2}ws_/);
    assert.equal((await listLinks(first.origin, key)).status, 200, "the first start's key works");
    assert.equal(await first.stop(), 0);
    assert.ok(
      !first.stdout().includes(key) && !first.stderr().includes(key),
      "the key is not in the log stream",
    );
    assert.ok(first.stdout().includes(file), "the log names the file");
    rmSync(file);
    assert.ok(!filesOf(dir).includes(key), "the key is not stored in clear anywhere else");

    const second = await startMain({ DATA_DIR: dir });
    assert.equal((await listLinks(second.origin, key)).status, 200, "the key survives a restart");
    assert.equal(await second.stop(), 0);
    assert.doesNotMatch(second.stdout(), /dub_[0-9A-Za-z]/);
    assert.ok(!existsSync(join(dir, "first-start.txt")), "a second start writes no new key");
  });

  test("`clicktrail` starts Node with a 4 MB young generation from any POSIX shell, `npm start` too (ADR 34)", async () => {
    const [shebang, launch = ""] = readFileSync(CLI, "utf8").split("\n");
    assert.equal(shebang, "#!/bin/sh");
    const flags = /^\/\/usr\/bin\/env true; exec node (.+) "\$0" "\$@"$/.exec(launch)?.[1];
    assert.ok(flags, launch);
    // As the kernel runs the command: the shebang's shell, given the script's path and the arguments.
    const created = spawnChild("/bin/sh", [CLI, "workspaces", "create", "--name", "two  words", "--json"], {
      DATA_DIR: tempDir(),
    });
    assert.equal(await created.exited, 0, created.output());
    assert.equal(JSON.parse(created.stdout()).name, "two  words");
    const server = await startMain({ DATA_DIR: tempDir() }, { command: ["/bin/sh", CLI, "serve"] });
    const metrics = await (await fetch(`${server.origin}/metrics`)).text();
    assert.equal(await server.stop(), 0);
    const newSpace = Number(/_heap_space_size_total_bytes\{space="new"\} (\d+)/.exec(metrics)?.[1]);
    assert.ok(newSpace > 0 && newSpace <= 8 * 1024 ** 2, `the young generation holds ${newSpace} bytes`);

    const { scripts } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      scripts: { start: string };
    };
    assert.ok(scripts.start.endsWith(`node ${flags} dist/main.js`), scripts.start);
  });

  test("first start on a terminal shows the key in a banner and writes no file", async () => {
    const dir = tempDir();
    const port = await freePort();
    // `script` gives the server a pseudo-terminal as its stdout.
    const terminal = spawnChild(
      "script",
      ["-qfec", `${process.execPath} ${MAIN}`, "/dev/null"],
      { DATA_DIR: dir, PORT: String(port), HOST: "127.0.0.1" },
      "pipe",
    );
    const banner = await until(
      () => terminal.stdout().match(/API key {4}(dub_[0-9A-Za-z]{24})/),
      "the banner",
      15_000,
    );
    assert.equal((await listLinks(`http://127.0.0.1:${port}`, banner[1])).status, 200);
    assert.ok(!existsSync(join(dir, "first-start.txt")));
    terminal.child.kill("SIGTERM");
  });

  test("SIGTERM during a burst of visits: every answered redirect has its click committed, and the exit is 0", async () => {
    const dir = tempDir();
    const server = await startMain({ DATA_DIR: dir });
    const key = await firstStartKey(dir);
    const created = await fetch(`${server.origin}/api/links`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ url: "https://example.com/", key: "bye", trackConversion: true }),
    });
    assert.equal(created.status, 200);
    const warm = await fetch(`${server.origin}/bye`, {
      redirect: "manual",
      headers: { "user-agent": "Mozilla/5.0 Firefox/128.0" },
    });
    const warmId = new URL(warm.headers.get("location") ?? "").searchParams.get("dub_id") ?? "";
    // each outcome is settled at once: a visit cut off by the shutdown is expected, not an unhandled rejection
    const visits = Array.from({ length: 60 }, (_, i) =>
      fetch(`${server.origin}/bye`, {
        redirect: "manual",
        headers: {
          "user-agent": `Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.${i}`,
        },
      }).then(
        (response) =>
          response.status === 302
            ? new URL(response.headers.get("location") ?? "").searchParams.get("dub_id")
            : null,
        () => null,
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    const code = await server.stop();
    const answered = [warmId, ...(await Promise.all(visits)).filter((id): id is string => id !== null)];
    assert.equal(code, 0);
    for (const id of answered) assert.match(id, /^[0-9A-Za-z]{16}$/);
    const db = new SQLite(join(dir, "clicktrail.sqlite"), { readonly: true });
    try {
      const stored = new Set(
        (db.prepare("select id from clicks").all() as { id: string }[]).map((row) => row.id),
      );
      for (const id of answered) assert.ok(stored.has(id), `click ${id} was answered but not committed`);
      const link = db.prepare("select clicks from links where key = 'bye'").get() as { clicks: number };
      assert.equal(link.clicks, stored.size);
    } finally {
      db.close();
    }
  });

  test("SIGTERM while a keep-alive request is in flight: the request completes and the process still exits 0 promptly", async () => {
    const dir = tempDir();
    const server = await startMain({ DATA_DIR: dir });
    const key = await firstStartKey(dir);
    const { port } = new URL(server.origin);
    const body = JSON.stringify({ url: "https://example.com/in-flight", key: "in-flight" });
    const socket = connect(Number(port), "127.0.0.1");
    let response = "";
    socket.setEncoding("utf8").on("data", (chunk: string) => {
      response += chunk;
    });
    socket.on("error", () => {});
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    // headers and half the body: the request is in progress when the signal arrives
    socket.write(
      `POST /api/links HTTP/1.1\r\nHost: ${server.origin.slice(7)}\r\nAuthorization: Bearer ${key}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n\r\n${body.slice(0, 10)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    server.child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 150));
    socket.write(body.slice(10));
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      server.exited,
      new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), 5_000);
      }),
    ]);
    clearTimeout(timer);
    socket.destroy();
    assert.match(response, /^HTTP\/1\.1 200 /, "the in-flight request was answered");
    assert.notEqual(code, "timeout", "an idle keep-alive connection held the shutdown");
    assert.equal(code, 0);
  });

  test("keys revoke makes that key get 401 from a running server, at once", async () => {
    const dir = tempDir();
    const server = await startMain({ DATA_DIR: dir });
    const bannerKey = await firstStartKey(dir);
    const created = await cliJson<{ key: string; id: string }>(["keys", "create"], { DATA_DIR: dir });
    assert.equal((await listLinks(server.origin, created.key)).status, 200);

    const revoked = await cli(["keys", "revoke", created.id], { DATA_DIR: dir });
    assert.equal(revoked.status, 0, revoked.stderr);
    await rejection(listLinks(server.origin, created.key), 401);
    assert.equal((await listLinks(server.origin, bannerKey)).status, 200, "other keys keep working");

    const list = await cliJson<{ id: string; revokedAt: string | null }[]>(["keys", "list"], {
      DATA_DIR: dir,
    });
    assert.ok(list.find((row) => row.id === created.id)?.revokedAt);
    assert.notEqual(
      (await cli(["keys", "revoke", created.id], { DATA_DIR: dir })).status,
      0,
      "a key is revoked only once",
    );
    assert.equal(await server.stop(), 0);
  });

  test("a bad environment value stops the server and the CLI with a message naming it", async () => {
    const env = { DATA_DIR: tempDir(), PORT: "abc" };
    for (const [entry, result] of [
      [MAIN, await runMainToExit(env)],
      [CLI, await cli(["migrate"], env)],
    ] as const) {
      assert.notEqual(result.status, 0, `${entry} exited 0`);
      assert.notEqual(result.status, null, `${entry} did not exit`);
      assert.match(result.stderr, /PORT/);
      assert.match(result.stderr, /port number/);
    }
  });

  test("a port in use, a missing FX_RATES_FILE: one sentence each, no stack trace, exit 1, also with WORKERS", async () => {
    const taken = createNetServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = String((taken.address() as { port: number }).port);
    try {
      for (const [env, expected] of [
        [{ PORT: port }, /127\.0\.0\.1:\d+ is already in use by another process/],
        [{ PORT: port, WORKERS: "2" }, /is already in use by another process/],
        [{ FX_RATES_FILE: "/nonexistent/rates.json" }, /FX_RATES_FILE="\/nonexistent\/rates.json": ENOENT/],
      ] as const) {
        const result = await runMainToExit({ DATA_DIR: tempDir(), ...env });
        assert.equal(result.status, 1, `${JSON.stringify(env)}: ${result.stderr}`);
        assert.match(result.stderr, expected);
        assert.doesNotMatch(result.stderr, /^\s+at /m, "no stack trace");
      }
    } finally {
      taken.close();
    }
  });
});

describe("exchange rates from the command line", () => {
  test("fx set stores a manual rate that a server then uses to convert sales", async () => {
    const dir = tempDir();
    const env = { DATA_DIR: dir };
    const set = await cliJson<{ currency: string; ratePerUsd: number }>(["fx", "set", "eur", "0.8"], env);
    assert.deepEqual(set, { currency: "EUR", ratePerUsd: 0.8 });
    const listed = await cliJson<{ currency: string; perUsd: number; source: string }[]>(["fx", "list"], env);
    assert.deepEqual(
      listed.map(({ currency, perUsd, source }) => ({ currency, perUsd, source })),
      [{ currency: "EUR", perUsd: 0.8, source: "manual" }],
    );

    const { key } = await cliJson<{ key: string }>(["keys", "create"], env);
    const server = await startMain(env);
    const auth = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    const link = (await (
      await fetch(`${server.origin}/api/links`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ url: "https://example.com/fx", key: "fx", trackConversion: true }),
      })
    ).json()) as { domain: string };
    const visit = await fetch(`${server.origin}/fx`, {
      redirect: "manual",
      headers: {
        host: link.domain,
        "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0 Safari/537.36",
      },
    });
    const clickId = new URL(visit.headers.get("location") ?? "").searchParams.get("dub_id");
    const sale = (await (
      await fetch(`${server.origin}/api/track/sale`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ customerExternalId: "fx-buyer", clickId, amount: 1000, currency: "eur" }),
      })
    ).json()) as { sale: { amount: number; currency: string } };
    assert.deepEqual(
      sale.sale,
      { ...sale.sale, amount: 1250, currency: "usd" },
      "10 EUR at 0.8 EUR/USD is $12.50",
    );
    await server.stop();
  });

  test("fx set refuses USD, unknown codes and non-positive rates", async () => {
    const env = { DATA_DIR: tempDir() };
    for (const args of [
      ["fx", "set", "usd", "1"],
      ["fx", "set", "zzz", "1"],
      ["fx", "set", "eur", "0"],
      ["fx", "set", "eur", "abc"],
    ]) {
      const result = await cli(args, env);
      assert.notEqual(result.status, 0, args.join(" "));
      assert.match(result.stderr, /fx set needs/);
    }
  });
});

test("API keys never appear in the server's logs, even at trace level and on errors", async () => {
  const dir = tempDir();
  const env = { DATA_DIR: dir };
  const { key } = await cliJson<{ key: string }>(["keys", "create"], env);
  const server = await startMain({ ...env, LOG_LEVEL: "trace" });
  const wrong = `dub_${"x".repeat(24)}`;
  for (const token of [key, wrong]) {
    await fetch(`${server.origin}/api/links`, { headers: { authorization: `Bearer ${token}` } });
    await fetch(`${server.origin}/api/links`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: "{bad",
    });
    await fetch(`${server.origin}/api/links/nope`, { headers: { authorization: token } });
  }
  await server.stop();
  const logs = server.output();
  assert.ok(logs.length > 0, "the server logged something at trace level");
  assert.ok(!logs.includes(key), "the valid key is not in the logs");
  assert.ok(!logs.includes(wrong), "an invalid key is not in the logs");
});

test("WORKERS=2 forks two server processes: one first start, both serve, SIGTERM stops them all", async () => {
  const server = await startMain({ DATA_DIR: tempDir(), WORKERS: "2", LOG_LEVEL: "info" });
  const listening = async () =>
    server
      .stdout()
      .split("\n")
      .filter((line) => line.includes('"clicktrail listening"'))
      .map((line) => (JSON.parse(line) as { pid: number }).pid);
  const deadline = Date.now() + 15_000;
  while ((await listening()).length < 2 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  const pids = await listening();
  assert.equal(new Set(pids).size, 2, "two worker processes are listening");
  assert.equal(server.stdout().match(/first start: the new API key is in/g)?.length, 1, "one first start");
  const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`${server.origin}/healthz`)));
  assert.ok(answers.every((answer) => answer.status === 200));
  assert.equal(await server.stop(), 0);
  for (const pid of pids) {
    assert.throws(() => process.kill(pid, 0), "worker is gone");
  }
});

/** A GET on a connection of its own, so that the cluster hands it to the next worker in turn. */
function getOnNewConnection(
  origin: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** A password form's POST on a connection of its own, so that successive ones reach different workers. */
function postOnNewConnection(origin: string, path: string, form: string): Promise<{ status: number }> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        hostname,
        port,
        path,
        method: "POST",
        agent: false,
        headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": "curl/8" },
      },
      (res) => {
        res.resume().on("end", () => resolve({ status: res.statusCode ?? 0 }));
      },
    );
    req.on("error", reject);
    req.end(form);
  });
}

test("WORKERS=2 without Redis behaves as one process: link and domain edits, rate limits, password tries and metrics", async () => {
  const dir = tempDir();
  const server = await startMain({
    DATA_DIR: dir,
    WORKERS: "2",
    LOG_LEVEL: "info",
    RATE_LIMIT_PER_MINUTE: "30",
  });
  const deadline = Date.now() + 15_000;
  while ((server.stdout().match(/"clicktrail listening"/g)?.length ?? 0) < 2 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  const key = await firstStartKey(dir);
  const other = (await cliJson<{ key: string }>(["keys", "create", "--json"], { DATA_DIR: dir })).key;
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${server.origin}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const destinations = async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        getOnNewConnection(server.origin, "/edited", { "user-agent": "curl/8" }),
      ),
    );
    return new Set(answers.map((answer) => `${answer.status} ${answer.headers.location ?? ""}`));
  };

  const link = (await (
    await api("POST", "/links", { url: "https://old.example/", key: "edited" })
  ).json()) as {
    id: string;
  };
  assert.deepEqual(await destinations(), new Set(["302 https://old.example/"]));
  assert.equal((await api("PATCH", `/links/${link.id}`, { url: "https://new.example/" })).status, 200);
  assert.deepEqual(
    await destinations(),
    new Set(["302 https://new.example/"]),
    "no worker serves the old link",
  );
  assert.equal((await api("DELETE", `/links/${link.id}`)).status, 200);
  assert.deepEqual(await destinations(), new Set(["404 "]), "no worker serves the deleted link");

  const misses = async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        getOnNewConnection(server.origin, "/nowhere", { host: "fallback.workers.test" }),
      ),
    );
    return new Set(answers.map((answer) => `${answer.status} ${answer.headers.location ?? ""}`));
  };
  assert.equal((await api("POST", "/domains", { slug: "fallback.workers.test" })).status, 201);
  assert.deepEqual(await misses(), new Set(["404 "]));
  const fallback = { notFoundUrl: "https://fallback.example/" };
  assert.equal((await api("PATCH", "/domains/fallback.workers.test", fallback)).status, 200);
  assert.deepEqual(
    await misses(),
    new Set(["302 https://fallback.example/"]),
    "no worker serves the domain's old settings",
  );

  assert.equal(
    (await api("POST", "/links", { url: "https://locked.example/", key: "locked", password: "pw" })).status,
    200,
  );
  const tries = [];
  for (let i = 0; i < PASSWORD_ATTEMPTS_PER_MINUTE + 2; i++) {
    tries.push((await postOnNewConnection(server.origin, "/locked", "password=wrong")).status);
  }
  assert.deepEqual(
    tries,
    [...Array(PASSWORD_ATTEMPTS_PER_MINUTE).fill(403), 429, 429],
    "one count of password tries for both workers",
  );

  const limited = [];
  for (let i = 0; i < 40; i++) {
    limited.push(await getOnNewConnection(server.origin, "/api/links", { authorization: `Bearer ${other}` }));
  }
  assert.equal(limited.filter((answer) => answer.status === 200).length, 30, "one budget for both workers");
  assert.equal(limited.filter((answer) => answer.status === 429).length, 10);
  assert.ok(limited.every((answer) => answer.headers["x-ratelimit-limit"] === "30"));

  const totals: number[] = [];
  for (let i = 0; i < 8; i++) {
    const scrape = await getOnNewConnection(server.origin, "/metrics");
    assert.equal(scrape.status, 200);
    totals.push(
      scrape.body
        .split("\n")
        .filter((line) => line.startsWith("clicktrail_http_requests_total{"))
        .reduce((sum, line) => sum + Number(line.split(" ").at(-1)), 0),
    );
  }
  assert.ok(
    totals.every((total, i) => i === 0 || total >= totals[i - 1]),
    `every scrape sees both workers' counters, never a reset: ${totals.join(", ")}`,
  );
  assert.ok(totals[0] >= 40 + 60 + 3, `the counters of both workers are summed: ${totals[0]}`);
  assert.equal(await server.stop(), 0);
});

test("the default short domain is fixed at first start: a new PORT keeps it, SHORT_DOMAIN changes only through the command", async () => {
  const dir = tempDir();
  const create = async (origin: string, key: string, body: Record<string, unknown>) => {
    const answer = await fetch(`${origin}/api/links`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    assert.equal(answer.status, 200);
    return (await answer.json()) as { domain: string; shortLink: string };
  };
  const first = await startMain({ DATA_DIR: dir });
  const key = await firstStartKey(dir);
  const original = new URL(first.origin).port;
  const before = await create(first.origin, key, { url: "https://example.com/before", key: "before" });
  assert.equal(before.domain, `localhost:${original}`);
  assert.equal(await first.stop(), 0);

  const moved = await startMain({ DATA_DIR: dir });
  const after = await create(moved.origin, key, { url: "https://example.com/after" });
  assert.equal(after.domain, `localhost:${original}`, "a new PORT does not move the default domain");
  const visit = await fetch(`${moved.origin}/before`, {
    redirect: "manual",
    headers: { "user-agent": "curl/8" },
  });
  assert.equal(visit.status, 302, "links made before the PORT change still redirect");
  assert.equal(await moved.stop(), 0);

  const refused = await runMainToExit({ DATA_DIR: dir, SHORT_DOMAIN: "go.changed.test" });
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /this install's short domain is localhost:\d+/);
  assert.match(refused.stderr, /clicktrail short-domain set go\.changed\.test/);

  const set = await cliJson<{ shortDomain: string; previous: string }>(
    ["short-domain", "set", "go.changed.test"],
    { DATA_DIR: dir },
  );
  assert.deepEqual(set, { shortDomain: "go.changed.test", previous: `localhost:${original}` });
  const changed = await startMain({ DATA_DIR: dir, SHORT_DOMAIN: "go.changed.test" });
  const later = await create(changed.origin, key, { url: "https://example.com/later" });
  assert.equal(later.shortLink.split("/")[2], "go.changed.test");
  assert.deepEqual(await cliJson(["short-domain"], { DATA_DIR: dir }), { shortDomain: "go.changed.test" });
  assert.equal(await changed.stop(), 0);
});
