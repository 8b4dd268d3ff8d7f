// The compiled server (dist/main.js) and CLI (dist/cli.js) as child processes, for tests of what an operator sees:
// exit statuses, messages, files left behind.
import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "./server.js";
import { until } from "./webhook-receiver.js";

const ROOT = resolve(import.meta.dirname, "..", "..");
export const CLI = join(ROOT, "dist", "cli.js");
export const MAIN = join(ROOT, "dist", "main.js");

const children = new Set<ChildProcess>();

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

/** Kills whatever is still running (call from `after`). */
export function killChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}

/** Only what a child needs: no inherited PORT, DATA_DIR or test-runner variables. */
export const childEnv = (extra: Record<string, string>): Record<string, string> => ({
  PATH: process.env.PATH ?? "",
  HOME: process.env.HOME ?? tmpdir(),
  LOG_LEVEL: "silent",
  ...extra,
});

export type Run = { status: number | null; stdout: string; stderr: string };

/** Runs `clicktrail ARGS` to its end. */
export function cli(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
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

/** Runs `node dist/main.js` until it exits by itself (a start that must fail). */
export function runMainToExit(env: Record<string, string>, timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [MAIN],
      { env: childEnv({ PORT: "0", HOST: "127.0.0.1", ...env }), encoding: "utf8", timeout: timeoutMs },
      (error, stdout, stderr) => {
        children.delete(child);
        const status = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({ status, stdout, stderr });
      },
    );
    children.add(child);
  });
}

export type ServerProcess = {
  child: ChildProcess;
  origin: string;
  exited: Promise<number | null>;
  stderr(): string;
  /** SIGTERM, then waits for the exit (the server folds its write-ahead log into the file on the way). */
  stop(): Promise<number | null>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
};

/** Starts `node dist/main.js` on a free port and resolves once /healthz answers. */
export async function startMain(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    env: childEnv({ PORT: String(port), HOST: "127.0.0.1", ...env }),
    stdio: ["ignore", "ignore", "pipe"],
  });
  children.add(child);
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  const origin = `http://127.0.0.1:${port}`;
  await until(
    async () => {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${stderr}`);
      try {
        return (await fetch(`${origin}/healthz`)).status === 200;
      } catch {
        return false;
      }
    },
    () => `the server to become healthy: ${stderr}`,
    30_000,
  );
  return {
    child,
    origin,
    exited,
    stderr: () => stderr,
    async stop() {
      child.kill("SIGTERM");
      return exited;
    },
    async kill() {
      child.kill("SIGKILL");
      await exited;
    },
  };
}
