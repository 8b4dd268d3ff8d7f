// Throwaway PostgreSQL and Redis servers for the test suites, started when their binaries are installed.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function postgresBin() {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const version = readdirSync(root).sort((a, b) => Number(b) - Number(a))[0];
  const bin = version && join(root, version, "bin");
  return bin && existsSync(join(bin, "initdb")) ? bin : undefined;
}

/** PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` user. */
function asPostgres(command, args) {
  const isRoot = process.getuid?.() === 0;
  const [file, argv] = isRoot ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
  return execFileSync(file, argv, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
}

/**
 * `durable: true` commits synchronously (fsync stays off: the tests kill processes, not the machine), for a
 * server that a test SIGKILLs and expects to find every acknowledged commit in. `kill()` SIGKILLs the
 * postmaster and its children; `start()` starts it again on the same data directory and port.
 */
export async function startPostgres({ durable = false } = {}) {
  const bin = postgresBin();
  if (!bin) return { missing: "PostgreSQL (initdb) is not installed" };
  const dir = mkdtempSync(join(tmpdir(), "clicktrail-pg-"));
  chmodSync(dir, 0o777);
  const data = join(dir, "data");
  if (process.getuid?.() === 0) execFileSync("chown", ["postgres", dir]);
  const port = await freePort();
  asPostgres(join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  const commit = `-c synchronous_commit=${durable ? "on" : "off"}`;
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off ${commit} -c full_page_writes=off -c max_connections=300`;
  const start = () =>
    asPostgres(join(bin, "pg_ctl"), ["-D", data, "-o", options, "-l", join(dir, "log"), "-w", "start"]);
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    async kill() {
      const postmaster = Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
      const family = [postmaster, ...childrenOf(postmaster)];
      for (const pid of family) signal(pid, "SIGKILL");
      while (family.some(alive)) await sleep(20);
    },
    stop() {
      try {
        asPostgres(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function childrenOf(parent) {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        // The fields after the command name (which may hold spaces) start with the state, then the parent.
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === parent;
      } catch {
        return false;
      }
    })
    .map(Number);
}

function signal(pid, name) {
  try {
    process.kill(pid, name);
  } catch {}
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startRedis() {
  if (spawnSync("redis-server", ["--version"]).status !== 0)
    return { missing: "Redis (redis-server) is not installed" };
  const port = await freePort();
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    {
      stdio: "ignore",
    },
  );
  for (let i = 0; i < 100; i++) {
    if (spawnSync("redis-cli", ["-p", String(port), "ping"], { encoding: "utf8" }).stdout?.trim() === "PONG")
      break;
    await sleep(50);
  }
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill("SIGKILL") };
}
