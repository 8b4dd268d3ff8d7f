// The first start's setup link and `clicktrail users`, run as child processes over real SQLite files.
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import SQLite from "better-sqlite3";
import {
  cleanUp,
  cli,
  cliJson,
  ensureBuilt,
  freePort,
  MAIN,
  spawnChild,
  startMain,
  tempDir,
  until,
} from "../helpers/processes.js";
import { rejection } from "../helpers/rejection.js";
import { Browser, PASSWORD } from "../helpers/session.js";

before(ensureBuilt);
after(cleanUp);

const SETUP_LINE = /^Setup link: (http:\/\/127\.0\.0\.1:\d+\/app\/setup\?token=([\w-]{43}))$/m;

describe("the first start's setup link", () => {
  test("is in DATA_DIR/first-start.txt (0600) beside the key, never in the log, and makes the first owner once", async () => {
    const dir = tempDir();
    const server = await startMain({ DATA_DIR: dir, LOG_LEVEL: "trace" });
    const file = join(dir, "first-start.txt");
    await until(() => existsSync(file), "first-start.txt");
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const text = readFileSync(file, "utf8");
    const [, link, token] = text.match(SETUP_LINE) ?? [];
    assert.ok(link, `no Setup link line in:\n${text}`);
    assert.ok(link.startsWith(`${server.origin}/app/setup?token=`), link);
    assert.match(text, /API key {4}dub_/, "the same file as the key");

    const browser = new Browser(server);
    const email = "first.owner@example.com";
    const me = await browser.setup(token, email);
    assert.equal(me.workspaces[0].role, "owner");
    await browser.json("GET", "/api/links");
    await rejection(
      new Browser(server).call("POST", "/api/auth/setup", {
        body: { token, email: "second@example.com", password: PASSWORD },
      }),
      410,
      { code: "invite_expired" },
    );
    await browser.json("POST", "/api/auth/logout");

    assert.equal(await server.stop(), 0);
    const log = server.output();
    assert.ok(log.includes(file), "the log names the file");
    for (const secret of [token, PASSWORD, me.csrfToken, browser.cookie ?? "no cookie"])
      assert.ok(!log.includes(secret), `a secret in the log: ${secret.slice(0, 6)}…`);
    assert.doesNotMatch(log, /Setup link/);
  });
});

test("on a terminal the banner shows the Setup link beside the key, and no file is written", async () => {
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
    () => terminal.stdout().match(/Setup link: (http:\/\/127\.0\.0\.1:(\d+)\/app\/setup\?token=[\w-]{43})/),
    "the banner",
    15_000,
  );
  assert.equal(Number(banner[2]), port);
  assert.match(terminal.stdout(), /API key {4}dub_/);
  const info = await fetch(
    `http://127.0.0.1:${port}/api/auth/setup?token=${new URL(banner[1]).searchParams.get("token")}`,
  );
  assert.equal(info.status, 200);
  assert.ok(!existsSync(join(dir, "first-start.txt")));
  terminal.child.kill("SIGTERM");
  await terminal.exited;
});

describe("clicktrail users", () => {
  test("create, sign in on a running server, list, reset-password ends the sessions", async () => {
    const dir = tempDir();
    const env = { DATA_DIR: dir };
    const server = await startMain(env);
    const workspaceId = readFileSync(join(dir, "first-start.txt"), "utf8").match(/ws_\w+/)?.[0];
    const created = await cliJson<{ id: string; email: string; workspaceId: string; role: string }>(
      ["users", "create", "--email", "Ops@Example.com", "--password", PASSWORD, "--role", "member"],
      env,
    );
    assert.deepEqual(
      { email: created.email, workspaceId: created.workspaceId, role: created.role },
      { email: "Ops@Example.com", workspaceId, role: "member" },
    );
    const taken = await cli(["users", "create", "--email", "ops@example.COM", "--password", PASSWORD], env);
    assert.equal(taken.status, 1);
    assert.match(taken.stderr, /already exists/);

    const browser = new Browser(server);
    const me = await browser.login("ops@example.com");
    assert.deepEqual(
      me.workspaces.map((w: { role: string }) => w.role),
      ["member"],
    );

    const listed = await cliJson<{ id: string; email: string; workspaces: { id: string; role: string }[] }[]>(
      ["users", "list"],
      env,
    );
    assert.deepEqual(
      listed.map((user) => [user.id, user.workspaces]),
      [
        [
          created.id,
          [{ id: workspaceId, name: "Default workspace", slug: "default-workspace", role: "member" }],
        ],
      ],
    );
    const human = await cli(["users", "list"], env);
    assert.match(human.stdout, /Ops@Example\.com/);
    assert.doesNotMatch(human.stdout + JSON.stringify(listed), /scrypt/, "never a password hash");

    const reset = await cli(
      ["users", "reset-password", "--email", "OPS@example.com", "--password", "a new password"],
      env,
    );
    assert.equal(reset.status, 0, reset.stderr);
    await rejection(browser.call("GET", "/api/auth/me"), 401, { what: "the old session after a reset" });
    await rejection(
      new Browser(server).call("POST", "/api/auth/login", {
        body: { email: "ops@example.com", password: PASSWORD },
      }),
      401,
    );
    await new Browser(server).login("ops@example.com", "a new password");
    assert.equal(await server.stop(), 0);
  });

  test("outside a test suite's NODE_ENV=test, passwords are hashed at scrypt's production cost", async () => {
    const env = { DATA_DIR: tempDir(), NODE_ENV: "production", CLICKTRAIL_TEST_PASSWORD_COST: "low" };
    await cliJson(["workspaces", "create", "--name", "Production"], env);
    await cliJson(["users", "create", "--email", "prod@example.com", "--password", PASSWORD], env);
    const db = new SQLite(join(env.DATA_DIR, "clicktrail.sqlite"), { readonly: true });
    const row = db.prepare("SELECT password_hash FROM users WHERE email = ?").get("prod@example.com");
    db.close();
    assert.match((row as { password_hash: string }).password_hash, /^scrypt\$32768\$8\$1\$/);
  });

  test("--help explains every action; missing options and a bad role are usage errors (exit 2)", async () => {
    const env = { DATA_DIR: tempDir() };
    const help = await cli(["users", "--help"], env);
    assert.equal(help.status, 0);
    for (const words of [
      "users create --email E --password P",
      "reset-password",
      "users list",
      "--role owner|member",
    ])
      assert.ok(help.stdout.includes(words), `help lacks ${words}:\n${help.stdout}`);
    for (const args of [
      ["users", "create", "--email", "a@example.com"],
      ["users", "reset-password", "--password", PASSWORD],
      ["users", "create", "--email", "a@example.com", "--password", PASSWORD, "--role", "admin"],
    ]) {
      const run = await cli(args, env);
      assert.equal(run.status, 2, `${args.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, /users/);
    }
    const weak = await cli(["users", "create", "--email", "a@example.com", "--password", "short"], env);
    assert.equal(weak.status, 1);
    assert.match(weak.stderr, /at least 8 characters/);
    const unknown = await cli(
      ["users", "reset-password", "--email", "nobody@example.com", "--password", PASSWORD],
      env,
    );
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /No user/);
  });
});
