import type { Config } from "../config.js";
import { unprocessable } from "../domain/errors.js";
import type { Link } from "../domain/links/model.js";
import { linkBody, toLinkInput } from "../http/schemas/links.js";
import { presentLink, shortLinkOf } from "../wire/link.js";
import { exportLinks } from "./links-export.js";
import { importLinks } from "./links-import.js";
import {
  type Command,
  iso,
  print,
  table,
  text,
  UsageError,
  withServices,
  workspacePrincipal,
} from "./shared.js";

const MAX_LIMIT = 1_000;

export const links: Command = {
  name: "links",
  usage: `links list [--workspace ID] [--domain D] [--search TEXT] [--limit N] [--json]
                                        list links, newest first (default 100, at most 1,000)
links create --url URL [--key KEY] [--domain D] [--track-conversion] [--workspace ID] [--json]
                                        create a short link, by the API's rules (a custom domain belongs
                                        to the workspace that first uses it)
links get ID|DOMAIN/KEY [--workspace ID] [--json]
                                        show one link, by its id or by its short link's domain and key
links delete ID [--workspace ID] [--json]
                                        delete a link: it stops redirecting (running servers within 5 s)
links export [--format csv|json] [--output FILE [--force]] [--domain D] [--tag NAME,…] [--folder ID]
             [--archived include|exclude|only] [--workspace ID]
                                        every link of the workspace, read a batch at a time: CSV (the columns
                                        links import reads, tags joined with |) or Dub's link JSON; to stdout,
                                        or to FILE with a count on stderr
links import FILE.csv [--workspace ID] [--dry-run] [--json]
                                        create a link per row of a CSV file, 100 per transaction, by the
                                        rules of POST /links/bulk; the header row names the columns as the
                                        Link JSON does: url (required), domain, key, externalId, tenantId,
                                        title, description, image, comments, tags (names separated by |),
                                        tagIds, folderId, utm_source … utm_content, expiresAt (ISO 8601),
                                        expiredUrl, archived, trackConversion (true/false); other columns
                                        are ignored. Progress and each failed row (number, reason) go to
                                        stderr; a failed row never stops the others, but ends with status 1.
                                        --dry-run checks every row and writes nothing`,
  options: {
    workspace: { type: "string" },
    domain: { type: "string" },
    search: { type: "string" },
    limit: { type: "string" },
    url: { type: "string" },
    key: { type: "string" },
    "track-conversion": { type: "boolean", default: false },
    format: { type: "string" },
    output: { type: "string" },
    force: { type: "boolean", default: false },
    tag: { type: "string" },
    folder: { type: "string" },
    archived: { type: "string" },
    "dry-run": { type: "boolean", default: false },
  },
  actions: ["list", "create", "get", "delete", "export", "import"],
  async run({ action, rest, values }) {
    if (action === "export") return exportLinks(this, values);
    const limit = text(values.limit) === undefined ? 100 : Number(values.limit);
    if (!(Number.isInteger(limit) && limit > 0 && limit <= MAX_LIMIT))
      throw new UsageError(
        `--limit needs a whole number from 1 to ${MAX_LIMIT.toLocaleString("en-US")}`,
        this,
      );
    if (action === "create" && !text(values.url)) throw new UsageError("links create needs --url URL", this);
    if (action === "import") {
      if (rest.length !== 1) throw new UsageError("links import needs one FILE.csv", this);
      return importLinks(rest[0], {
        workspace: text(values.workspace),
        dryRun: values["dry-run"] === true,
        json: values.json,
      });
    }
    if ((action === "get" || action === "delete") && rest.length !== 1)
      throw new UsageError(
        `links ${action} needs one link ${action === "get" ? "ID or DOMAIN/KEY" : "ID"}`,
        this,
      );
    await withServices(
      async ({ links: service, workspaces }, config) => {
        const principal = await workspacePrincipal(workspaces, text(values.workspace));
        const show = (link: Link) => presentLink(link, config.shortLinkProtocol);
        if (action === "list") {
          const found = await service.list(principal, {
            domain: text(values.domain),
            search: text(values.search),
            sortBy: "createdAt",
            sortOrder: "desc",
            page: 1,
            pageSize: limit,
          });
          print(found.map(show), values.json, table(found.map((link) => row(link, config))));
        } else if (action === "create") {
          const parsed = linkBody.safeParse({
            url: text(values.url),
            key: text(values.key),
            domain: text(values.domain),
            trackConversion: values["track-conversion"] === true,
          });
          if (!parsed.success) {
            const issue = parsed.error.issues[0];
            throw unprocessable(`--${String(issue.path[0] ?? "url")} ${issue.message}`);
          }
          const link = await service.create(principal, { ...toLinkInput(parsed.data), url: parsed.data.url });
          print(
            show(link),
            values.json,
            `Created ${shortLinkOf(link, config.shortLinkProtocol)} → ${link.url} (${link.id})`,
          );
        } else if (action === "get") {
          const [target] = rest;
          const slash = target.indexOf("/");
          const link =
            slash > 0
              ? await service.info(principal, {
                  domain: target.slice(0, slash),
                  key: target.slice(slash + 1),
                })
              : await service.get(principal, target);
          print(show(link), values.json, details(link, config));
        } else {
          const deleted = await service.delete(principal, rest[0]);
          print(deleted, values.json, `Deleted ${deleted.id}`);
        }
      },
      { settled: true },
    );
  },
};

const row = (link: Link, config: Config) => ({
  id: link.id,
  shortLink: shortLinkOf(link, config.shortLinkProtocol),
  url: link.url,
  clicks: link.clicks,
  leads: link.leads,
  sales: link.sales,
  createdAt: iso(link.createdAt),
});

function details(link: Link, config: Config): string {
  const lines: [string, unknown][] = [
    ["id", link.id],
    ["shortLink", shortLinkOf(link, config.shortLinkProtocol)],
    ["url", link.url],
    ["trackConversion", link.trackConversion],
    ["clicks", link.clicks],
    ["leads", link.leads],
    ["sales", link.sales],
    ["saleAmount", `${(link.saleAmount / 100).toFixed(2)} USD`],
    ["createdAt", iso(link.createdAt)],
  ];
  return lines.map(([name, value]) => `${name.padEnd(16)}${value}`).join("\n");
}
