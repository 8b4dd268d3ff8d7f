import { existsSync } from "node:fs";
import { EXIT_FAILURE } from "../exit-codes.js";
import { type Command, print, text, UsageError } from "./shared.js";

/** The shell's status for a process ended by Ctrl-C (128 + SIGINT). */
const EXIT_INTERRUPTED = 130;

export const copy: Command = {
  name: "copy",
  usage: `copy --from DATA_DIR --to postgres://… [--force] [--batch-size N] [--json]
                                        copy a SQLite install into PostgreSQL (migrates it first),
                                        resumable, then verify counts; stop the servers first for an
                                        exact copy (or copy again after stopping them)`,
  options: {
    from: { type: "string" },
    to: { type: "string" },
    force: { type: "boolean", default: false },
    "batch-size": { type: "string" },
  },
  async run({ values }) {
    const from = text(values.from);
    const to = text(values.to);
    if (!from || !to) throw new UsageError("copy needs --from DATA_DIR and --to postgres://…", this);
    const batchText = text(values["batch-size"]);
    const batchSize = batchText === undefined ? undefined : Number(batchText);
    if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0))
      throw new UsageError("--batch-size needs a positive whole number", this);
    const [
      { copyDatabase },
      { CopyError },
      { SqliteSource },
      { formatChecks, MISMATCH_ADVICE },
      { isOpenElsewhere },
    ] = await Promise.all([
      import("../store/copy/copy-database.js"),
      import("../store/copy/copy-error.js"),
      import("../store/copy/sqlite-source.js"),
      import("../store/copy/verify.js"),
      import("../store/sqlite/restore.js"),
    ]);
    warnIfInUse(SqliteSource.fileOf(from), isOpenElsewhere);
    const command = `clicktrail copy --from ${from} --to ${to.replace(/\/\/[^@/]*@/, "//…@")}`;
    const onInterrupt = () => {
      process.stderr.write(
        `\nclicktrail copy: interrupted. What was copied so far is kept in the target; run the same command ` +
          `again to resume where it stopped:\n  ${command}\n`,
      );
      process.exit(EXIT_INTERRUPTED);
    };
    process.once("SIGINT", onInterrupt);
    try {
      const report = await copyDatabase({ from, to, force: values.force === true, batchSize });
      print(report, values.json, formatChecks(report.checks));
      if (report.ok) process.stderr.write("Copy complete: every count matches.\n");
      else {
        process.stderr.write(
          `clicktrail copy: the target differs from the source:\n${report.problems.map((p) => `  ${p}\n`).join("")}` +
            `${MISMATCH_ADVICE}\n`,
        );
        process.exitCode = EXIT_FAILURE;
      }
    } catch (error) {
      if (!(error instanceof CopyError)) throw error;
      process.stderr.write(`clicktrail copy: ${error.message}\n`);
      process.exitCode = EXIT_FAILURE;
    } finally {
      process.off("SIGINT", onInterrupt);
    }
  },
};

/** A server still writing the source makes the copy a snapshot of a moving database. */
function warnIfInUse(file: string, isOpenElsewhere: (file: string) => boolean): void {
  if (!existsSync(file)) return;
  let inUse: boolean;
  try {
    inUse = isOpenElsewhere(file);
  } catch {
    return; // not a database SQLite can lock: the copy explains it
  }
  if (!inUse) return;
  process.stderr.write(
    `clicktrail copy: warning: ${file} is open in another process, most likely a running server that is still ` +
      "writing it. The copy takes one consistent snapshot, so anything written after it starts is not copied: " +
      "for an exact copy stop the servers first, or run the same copy again after stopping them (it copies " +
      "only what changed).\n",
  );
}
