// Compiles test/**/*.ts to plain JavaScript in .test-dist/ (same layout, same depth under the repository root), with
// their imports of src/ pointed at the build in dist/, so that node:test runs them without a TypeScript loader. On
// Node 20 tsx resolves and loads every module through loader hooks on a separate thread: that cost each test file
// about 3 CPU seconds before its first test, over half the CPU time of a typical API suite. esbuild is the compiler tsx
// itself uses (resolved from tsx), so the JavaScript that runs is the one tsx would have run; only src/ comes from
// tsc's dist/ instead, the same code the process suites and production run. dist/ is rebuilt first when src/ is newer.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
export const TEST_DIST = join(ROOT, ".test-dist");

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const newest = (dir) => Math.max(0, ...walk(dir).map((file) => statSync(file).mtimeMs));

/** Runs `npm run build` when dist/ is missing or older than src/ (as test/helpers/processes.ts ensureBuilt does). */
export function ensureDist() {
  const cli = join(ROOT, "dist", "cli.js");
  if (existsSync(cli) && statSync(cli).mtimeMs >= newest(join(ROOT, "src"))) return;
  process.stdout.write("# dist/ is older than src/: npm run build\n");
  const build = spawnSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: "inherit" });
  if (build.status !== 0) throw new Error("npm run build failed");
}

/** `../../src/x.js` written in test/a/b.ts points at src/x.ts: from .test-dist/a/b.js it must point at dist/x.js. */
function toDist(code, file) {
  const src = join(ROOT, "src");
  return code.replace(/(["'])((?:\.\.\/)+)src\//g, (match, quote, ups) =>
    resolve(dirname(file), ups, "src") === src ? `${quote}${ups}dist/` : match,
  );
}

/** Compiles every .ts under test/ (helpers and fixtures included) into .test-dist/; resolves to nothing. */
export async function compileTests() {
  ensureDist();
  const esbuild = createRequire(createRequire(import.meta.url).resolve("tsx/package.json"))("esbuild");
  const { compilerOptions } = JSON.parse(readFileSync(join(ROOT, "tsconfig.json"), "utf8"));
  rmSync(TEST_DIST, { recursive: true, force: true });
  const sources = walk(join(ROOT, "test")).filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"));
  await Promise.all(
    sources.map(async (file) => {
      const { code } = await esbuild.transform(readFileSync(file, "utf8"), {
        loader: "ts",
        format: "esm",
        target: `node${process.versions.node}`,
        sourcefile: file,
        tsconfigRaw: { compilerOptions },
      });
      const out = join(TEST_DIST, relative(join(ROOT, "test"), file)).replace(/\.ts$/, ".js");
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, toDist(code, file));
    }),
  );
}

/** Where test/a/b.test.ts runs from once compiled. */
export const compiled = (testFile) =>
  join(TEST_DIST, relative(join(ROOT, "test"), resolve(ROOT, testFile))).replace(/\.ts$/, ".js");
