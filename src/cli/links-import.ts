import { readFileSync } from "node:fs";
import { unprocessable } from "../domain/errors.js";
import { BULK_LIMIT, type BulkCreateItem } from "../domain/links/bulk-links.js";
import { EXIT_FAILURE } from "../exit-codes.js";
import { ExplainedError } from "../explained-error.js";
import { toBulkItem } from "../http/schemas/links.js";
import { ProgressBar } from "../store/copy/progress-bar.js";
import { CsvSyntaxError, parseCsv } from "../wire/csv.js";
import { linkBodyFromCsv, linkCsvHeader } from "../wire/link-csv.js";
import { print, withServices, workspacePrincipal } from "./shared.js";

export type ImportOptions = { workspace?: string; dryRun: boolean; json: boolean };

/** A row not imported: its row number in the file (the header is row 1), and why. */
type Failure = { row: number; line: number; code: string; error: string };

/**
 * `clicktrail links import FILE`: every row a link, created by the rules of `POST /links/bulk`, a hundred per
 * transaction. A row that cannot be created is reported (row, line, reason) and the others go on; the command
 * then ends with status 1.
 */
export async function importLinks(file: string, options: ImportOptions): Promise<void> {
  const [header, ...records] = readRecords(file);
  if (!header)
    throw new ExplainedError(`clicktrail: ${file} is empty: it needs a header row naming its columns.`);
  const { columns, ignored } = linkCsvHeader(header.fields);
  if (!columns.includes("url"))
    throw new ExplainedError(
      `clicktrail: ${file} has no url column (its header: ${header.fields.join(", ")}).`,
    );
  if (ignored.length > 0)
    process.stderr.write(`Ignoring columns that are no link field: ${ignored.join(", ")}\n`);

  const rows = records.map((record, index) => {
    const parsed = linkBodyFromCsv(columns, record.fields);
    const item: BulkCreateItem =
      "error" in parsed
        ? { input: record.fields, invalid: unprocessable(parsed.error) }
        : toBulkItem(parsed.body);
    return { row: index + 2, line: record.line, item };
  });
  const failures: Failure[] = [];
  let created = 0;
  await withServices(
    async ({ bulkLinks, workspaces }) => {
      const principal = await workspacePrincipal(workspaces, options.workspace);
      const progress = new ProgressBar(
        process.stderr,
        options.dryRun ? "checked" : "imported",
        rows.length,
        0,
      );
      for (let start = 0; start < rows.length; start += BULK_LIMIT) {
        const batch = rows.slice(start, start + BULK_LIMIT);
        const results = await bulkLinks.createMany(
          principal,
          batch.map(({ item }) => item),
          { dryRun: options.dryRun },
        );
        for (const [i, result] of results.entries()) {
          if (!("error" in result)) {
            created++;
            continue;
          }
          const { row, line } = batch[i];
          const failure = { row, line, code: result.error.code, error: result.error.message };
          failures.push(failure);
          // On a terminal the progress line is cleared first; the bar draws itself again below.
          const clear = process.stderr.isTTY ? "\r\x1b[K" : "";
          if (!options.json) process.stderr.write(`${clear}row ${row} (line ${line}): ${failure.error}\n`);
        }
        progress.advance(batch.length);
      }
      progress.finish(failures.length > 0 ? `${failures.length} failed` : "");
    },
    { settled: true },
  );
  const verb = options.dryRun ? "would be created" : "created";
  print(
    { rows: rows.length, created, failed: failures, dryRun: options.dryRun },
    options.json,
    `${created} of ${rows.length} links ${verb}${failures.length > 0 ? `; ${failures.length} rows failed (listed above)` : ""}${options.dryRun ? " (dry run: nothing was written)" : ""}`,
  );
  if (failures.length > 0) process.exitCode = EXIT_FAILURE;
}

function readRecords(file: string) {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ExplainedError(`clicktrail: cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new ExplainedError(`clicktrail: ${file}: ${error.message}`);
    throw error;
  }
}
