import { once } from "node:events";
import { createWriteStream, existsSync, renameSync, rmSync } from "node:fs";
import type { Writable } from "node:stream";
import type { LinkWalkFilter } from "../domain/links/model.js";
import { ExplainedError } from "../explained-error.js";
import { csvRecord } from "../wire/csv.js";
import { presentLink } from "../wire/link.js";
import { LINK_EXPORT_COLUMNS, linkCsvFields } from "../wire/link-csv.js";
import {
  type Command,
  print,
  text,
  UsageError,
  type Values,
  withServices,
  words,
  workspacePrincipal,
} from "./shared.js";

const FORMATS = ["csv", "json"] as const;
const ARCHIVED = { include: undefined, exclude: false, only: true } as const;
/** Without a terminal, a progress line per this many links. */
const PROGRESS_LINES_EVERY = 100_000;

/**
 * `links export`: every matching link of the workspace, read a batch at a time, as CSV (the columns
 * `links import` reads) or as a JSON array of Dub's link JSON; to stdout, or to FILE with progress on stderr.
 */
export async function exportLinks(command: Command, values: Values): Promise<void> {
  const format = text(values.format) ?? "csv";
  if (!(FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--format must be one of ${FORMATS.join(", ")}`, command);
  const archived = text(values.archived) ?? "include";
  if (!Object.hasOwn(ARCHIVED, archived))
    throw new UsageError(`--archived must be one of ${Object.keys(ARCHIVED).join(", ")}`, command);
  const output = text(values.output);
  if (output && existsSync(output) && values.force !== true)
    throw new ExplainedError(`clicktrail: ${output} already exists; add --force to replace it.`);
  const filter: LinkWalkFilter = {
    domain: text(values.domain),
    tagNames: words(values.tag).length > 0 ? words(values.tag) : undefined,
    folderId: text(values.folder),
    archived: ARCHIVED[archived as keyof typeof ARCHIVED],
  };

  await withServices(
    async ({ links, workspaces }, config) => {
      const principal = await workspacePrincipal(workspaces, text(values.workspace));
      const pages = await links.walk(principal, filter);
      const partial = output ? `${output}.partial` : null;
      const sink: Writable = partial ? await opened(partial, output ?? partial) : process.stdout;
      const progress = output ? progressOn(process.stderr) : () => {};
      let count = 0;
      let failed: Error | null = null;
      // A reader that goes away (`| head`) ends the export quietly; anything else is a failure.
      if (!partial) sink.on("error", (error: Error) => (failed = error));
      try {
        await write(sink, format === "csv" ? csvRecord(LINK_EXPORT_COLUMNS) : "[");
        for await (const batch of pages) {
          const chunk =
            format === "csv"
              ? batch.map((link) => csvRecord(linkCsvFields(link, config.shortLinkProtocol))).join("")
              : batch
                  .map(
                    (link, i) =>
                      `${count + i === 0 ? "\n" : ",\n"}${JSON.stringify(presentLink(link, config.shortLinkProtocol))}`,
                  )
                  .join("");
          count += batch.length;
          await write(sink, chunk);
          if (failed) throw failed;
          progress(count, false);
        }
        if (format === "json") await write(sink, count === 0 ? "]\n" : "\n]\n");
        if (partial && output) {
          sink.end();
          await once(sink, "close");
          renameSync(partial, output);
          progress(count, true, output);
          if (values.json) print({ output, format, links: count }, true, "");
        }
      } catch (error) {
        if (partial) {
          sink.destroy();
          rmSync(partial, { force: true });
        }
        if ((error as NodeJS.ErrnoException).code === "EPIPE") return;
        throw error;
      }
    },
    { settled: true },
  );
}

/** A new file to write, or a refusal saying why `shown` cannot be written. */
async function opened(path: string, shown: string): Promise<Writable> {
  const stream = createWriteStream(path, { mode: 0o600 });
  try {
    await once(stream, "open");
    return stream;
  } catch (error) {
    throw new ExplainedError(`clicktrail: cannot write ${shown}: ${(error as NodeJS.ErrnoException).code}`);
  }
}

async function write(sink: Writable, chunk: string): Promise<void> {
  // `once` rejects when the stream fails while it waits.
  if (!sink.write(chunk)) await once(sink, "drain");
}

/** Counts on stderr: one line rewritten on a terminal, else a line now and then, and always the total. */
function progressOn(stderr: NodeJS.WriteStream) {
  let lastLine = 0;
  return (count: number, done: boolean, file?: string) => {
    const counted = `${count.toLocaleString("en-US")} link${count === 1 ? "" : "s"}`;
    if (done) stderr.write(`${stderr.isTTY ? "\r" : ""}Exported ${counted} to ${file}\n`);
    else if (stderr.isTTY) stderr.write(`\rExporting… ${counted}`);
    else if (count - lastLine >= PROGRESS_LINES_EVERY) {
      lastLine = count;
      stderr.write(`Exporting… ${counted}\n`);
    }
  };
}
