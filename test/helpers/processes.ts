// The compiled server (dist/main.js) and CLI (dist/cli.js) as child processes, for the suites in test/process:
// exit statuses, messages, files left behind, crashes. Those suites import their plumbing from here only; the free
// port, the webhook receiver and the polling helper they share with the in-process suites are re-exported.
import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "./server.js";
import { until } from "./webhook-receiver.js";

export { freePort } from "./server.js";
export { type Receiver, startReceiver, until } from "./webhook-receiver.js";

export const ROOT = resolve(import.meta.dirname, "..", "..");
export const CLI = join(ROOT, "dist", "cli.js");
export const MAIN = join(ROOT, "dist", "main.js");

const children = new Set<ChildProcess>();
const dirs: string[] = [];

function newestMtime(dir: string): number {
  return Math.max(
    0,
    ...readdirSync(dir).map((name) => {
      const path = join(dir, name);
      const stat = statSync(path);
      return stat.isDirectory() ? newestMtime(path) : stat.mtimeMs;
    }),
  );
}

/** Builds dist/ when it is missing or older than src/ (call from `before`). */
export function ensureBuilt(): void {
  const stale =
    !existsSync(CLI) || !existsSync(MAIN) || statSync(CLI).mtimeMs < newestMtime(join(ROOT, "src"));
  if (!stale) return;
  const build = spawnSync("npm", ["run", "build", "--silent"], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
  assert.equal(build.status, 0, `npm run build failed:\n${build.stdout}\n${build.stderr}`);
}

/** A new temporary directory, removed by `cleanUp`. */
export function tempDir(prefix = "clicktrail-process-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** Kills every child still running and removes the temporary directories (call from `after`). */
export function cleanUp(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * scrypt at its test cost for the passwords a suite's servers and commands hash (src/config.ts: testPasswordCost):
 * hundreds of hashes at the production cost were a large share of the suite's CPU time. A suite asserting the
 * production cost overrides NODE_ENV.
 */
export const TEST_PASSWORD_COST = { NODE_ENV: "test", CLICKTRAIL_TEST_PASSWORD_COST: "low" };

/** Only what a child needs: no inherited PORT, DATA_DIR or test-runner variables. */
const childEnv = (extra: Record<string, string>): Record<string, string> => ({
  PATH: process.env.PATH ?? "",
  HOME: process.env.HOME ?? tmpdir(),
  LOG_LEVEL: "silent",
  ...TEST_PASSWORD_COST,
  ...extra,
});

export type Run = { status: number | null; stdout: string; stderr: string };

function runToExit(args: string[], env: Record<string, string>, timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      args,
      { env: childEnv(env), encoding: "utf8", timeout: timeoutMs },
      (error, stdout, stderr) => {
        children.delete(child);
        const status = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({ status, stdout, stderr });
      },
    );
    children.add(child);
  });
}

/** Runs `clicktrail ARGS` to its end. */
export function cli(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<Run> {
  return runToExit([CLI, ...args], env, timeoutMs);
}

/** Runs `clicktrail ARGS --json`, which must succeed, and parses what it printed. */
export async function cliJson<T>(args: string[], env: Record<string, string>): Promise<T> {
  const run = await cli([...args, "--json"], env);
  assert.equal(run.status, 0, `clicktrail ${args.join(" ")} failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

/** A workspace and an unrestricted key of it, made with the CLI in the install `env` names; resolves to the key. */
export async function install(env: Record<string, string>): Promise<string> {
  await cliJson(["workspaces", "create", "--name", "Tests"], env);
  return (await cliJson<{ key: string }>(["keys", "create"], env)).key;
}

/** Runs `node dist/main.js` until it exits by itself (a start that must fail). */
export function runMainToExit(env: Record<string, string>, timeoutMs = 30_000): Promise<Run> {
  return runToExit([MAIN], { PORT: "0", HOST: "127.0.0.1", ...env }, timeoutMs);
}

export type Spawned = {
  child: ChildProcess;
  /** The exit code; null after a signal. */
  exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
  /** stdout and stderr interleaved as they arrived. */
  output(): string;
  running(): boolean;
};

/** Starts COMMAND ARGS with only `env` (see childEnv), collecting what it writes; `cleanUp` kills it if need be. */
export function spawnChild(
  command: string,
  args: string[],
  env: Record<string, string>,
  stdin: "ignore" | "pipe" = "ignore",
): Spawned {
  const child = spawn(command, args, { env: childEnv(env), stdio: [stdin, "pipe", "pipe"] });
  children.add(child);
  const text = { stdout: "", stderr: "", output: "" };
  for (const stream of ["stdout", "stderr"] as const) {
    child[stream]?.setEncoding("utf8").on("data", (chunk: string) => {
      text[stream] += chunk;
      text.output += chunk;
    });
  }
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  return {
    child,
    exited,
    stdout: () => text.stdout,
    stderr: () => text.stderr,
    output: () => text.output,
    running: () => child.exitCode === null && child.signalCode === null,
  };
}

export type ServerProcess = Spawned & {
  /** e.g. http://127.0.0.1:43123 */
  origin: string;
  port: number;
  /** SIGTERM, then the exit code; if it is still running after `withinMs`, SIGKILL and fail. */
  stop(withinMs?: number): Promise<number | null>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
};

/**
 * Starts `node dist/main.js` (or `command`) on `port` (a free one by default) and resolves once /readyz answers
 * 200. A port picked here can be taken before the server listens (as another process's outgoing port): it then
 * starts again on another, three times at most.
 */
export async function startMain(
  env: Record<string, string>,
  options: { port?: number; readyWithinMs?: number; command?: [string, ...string[]] } = {},
): Promise<ServerProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startMainOn(
        options.port ?? (await freePort()),
        env,
        options.readyWithinMs,
        options.command ?? [process.execPath, MAIN],
      );
    } catch (error) {
      const taken = error instanceof Error && /EADDRINUSE|already in use/.test(error.message);
      if (options.port !== undefined || attempt === 3 || !taken) throw error;
    }
  }
}

async function startMainOn(
  port: number,
  env: Record<string, string>,
  readyWithinMs: number | undefined,
  [command, ...args]: [string, ...string[]],
): Promise<ServerProcess> {
  const spawned = spawnChild(command, args, { PORT: String(port), HOST: "127.0.0.1", ...env });
  const origin = `http://127.0.0.1:${port}`;
  try {
    await until(
      async () => {
        if (!spawned.running())
          throw new Error(`the server exited with ${spawned.child.exitCode}: ${spawned.output()}`);
        return fetch(`${origin}/readyz`).then(
          (response) => response.status === 200,
          () => false,
        );
      },
      () => `the server to become ready: ${spawned.output()}`,
      readyWithinMs ?? 60_000,
    );
  } catch (error) {
    // A server left running keeps the test file's process alive: node:test would wait for it forever.
    spawned.child.kill("SIGKILL");
    await spawned.exited;
    throw error;
  }
  return {
    ...spawned,
    origin,
    port,
    async stop(withinMs = 10_000) {
      spawned.child.kill("SIGTERM");
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([
        spawned.exited,
        new Promise<"timeout">((resolve) => {
          timer = setTimeout(() => resolve("timeout"), withinMs);
        }),
      ]);
      clearTimeout(timer);
      if (code !== "timeout") return code;
      spawned.child.kill("SIGKILL");
      await spawned.exited;
      assert.fail(`the server did not exit within ${withinMs} ms of SIGTERM: ${spawned.output()}`);
    },
    async kill() {
      spawned.child.kill("SIGKILL");
      await spawned.exited;
    },
  };
}
