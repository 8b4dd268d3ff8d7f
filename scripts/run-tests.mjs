// Runs every *.test.ts under test/ with node:test (Node 20 has no --test glob), compiled to JavaScript first
// (scripts/compile-tests.mjs: no TypeScript loader in the test processes), first on the embedded SQLite store, then
// the store-independent suites (test/api, test/contract, test/fuzz) again on PostgreSQL and Redis, which it starts
// itself when their binaries are installed; it says which suites it skipped and why. The process suites
// (test/process: dist/ as child processes) run once: each picks its stores itself.
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { compiled, compileTests } from "./compile-tests.mjs";
import { startPostgres, startRedis } from "./test-services.mjs";

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return find(path);
    return name.endsWith(".test.ts") ? [path] : [];
  });
}

const filter = process.argv.slice(2);
const files = find("test")
  .filter((file) => filter.length === 0 || filter.some((part) => file.includes(part)))
  .sort();
const onEveryStore = files.filter((file) => /^test\/(api|contract|fuzz)\//.test(file));

// Most suites wait on child processes, sockets and disks rather than the CPU, so files run a few at a time even on two
// cores (node:test's default is one fewer than the cores). Every suite owns its data folder, database and ports.
// A file whose tests have all finished exits even if it leaked a child process, instead of stalling the run.
const concurrency = Number(process.env.TEST_CONCURRENCY ?? 3);

const SUMMARY = /^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ([\d.]+)$/;
const totals = {};
/** Every failing test's TAP lines ("not ok" and its YAML block), repeated at the end, where a log cut short still shows them. */
const failures = [];

/** Streams one node:test run, renaming its summary lines so that only the combined summary at the end reads as one. */
function run(label, testFiles, env) {
  if (testFiles.length === 0) return Promise.resolve(0);
  process.stdout.write(`# ${label}: ${testFiles.length} files\n`);
  const child = spawn(
    process.execPath,
    ["--test", "--test-force-exit", `--test-concurrency=${concurrency}`, ...testFiles.map(compiled)],
    {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, ...env },
    },
  );
  let pending = "";
  let failure = null;
  child.stdout.setEncoding("utf8").on("data", (chunk) => {
    const lines = (pending + chunk).split("\n");
    pending = lines.pop();
    for (const line of lines) {
      const summary = line.match(SUMMARY);
      if (summary) totals[summary[1]] = (totals[summary[1]] ?? 0) + Number(summary[2]);
      if (/^\s*not ok \d+/.test(line)) {
        failure = [`[${label}] ${line.trim()}`];
        failures.push(failure);
      } else if (failure) {
        failure.push(line);
        if (line.trim() === "..." || failure.length > 60) failure = null;
      }
      process.stdout.write(summary ? `# ${label} ${summary[1]}: ${summary[2]}\n` : `${line}\n`);
    }
  });
  return new Promise((resolve) =>
    child.on("close", (code) => {
      if (pending) process.stdout.write(`${pending}\n`);
      resolve(code ?? 1);
    }),
  );
}

await compileTests();
const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
const services = { CLICKTRAIL_TEST_PG_URL: postgres.url ?? "", CLICKTRAIL_TEST_REDIS_URL: redis.url ?? "" };
let status = 0;
try {
  status = await run("sqlite", files, { ...services, CLICKTRAIL_TEST_STORE: "sqlite" });
  const missing = [postgres.missing, redis.missing].filter(Boolean);
  if (missing.length > 0) {
    process.stdout.write(
      `# SKIPPED the PostgreSQL + Redis run of ${onEveryStore.length} files: ${missing.join("; ")}\n`,
    );
  } else {
    status =
      (await run("postgres", onEveryStore, { ...services, CLICKTRAIL_TEST_STORE: "postgres" })) || status;
  }
} finally {
  postgres.stop?.();
  redis.stop?.();
}
const ownFailures = failures.filter(
  (lines) => !lines.some((line) => line.includes("failureType: 'subtestsFailed'")),
);
if (ownFailures.length > 0) {
  process.stdout.write(
    `# FAILED TESTS (${ownFailures.length}; the suites around them are counted as failed too):\n`,
  );
  for (const lines of ownFailures) process.stdout.write(`${lines.join("\n")}\n`);
}
for (const [name, value] of Object.entries(totals)) process.stdout.write(`# ${name} ${value}\n`);
process.exit(status);
