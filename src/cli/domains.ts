import type { Domain } from "../domain/domains/model.js";
import { unprocessable } from "../domain/errors.js";
import { ExplainedError } from "../explained-error.js";
import { domainBody } from "../http/schemas/domains.js";
import { presentDomain } from "../wire/domain.js";
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

/** The options that set a domain's fields, by field. */
const OPTION_OF: Record<string, string> = {
  placeholder: "--placeholder",
  notFoundUrl: "--not-found-url",
  expiredUrl: "--expired-url",
};

const PAGE_SIZE = 50;

export const domains: Command = {
  name: "domains",
  usage: `domains add SLUG [--placeholder URL] [--not-found-url URL] [--expired-url URL] [--workspace ID] [--json]
                                        add a custom domain to a workspace (a domain belongs to one workspace)
domains list [--workspace ID] [--json]  list a workspace's domains, archived ones too, with their link counts
domains remove SLUG [--yes] [--workspace ID] [--json]
                                        remove a domain AND every link on it, as DELETE /api/domains does;
                                        a domain with links needs --yes`,
  options: {
    workspace: { type: "string" },
    placeholder: { type: "string" },
    "not-found-url": { type: "string" },
    "expired-url": { type: "string" },
    yes: { type: "boolean", default: false },
  },
  actions: ["add", "list", "remove"],
  async run({ action, rest, values }) {
    if ((action === "add" || action === "remove") && rest.length !== 1)
      throw new UsageError(`domains ${action} needs one domain, e.g. go.example.com`, this);
    await withServices(async ({ domains: service, workspaces }) => {
      const principal = await workspacePrincipal(workspaces, text(values.workspace));
      if (action === "add") {
        const parsed = domainBody.safeParse({
          slug: rest[0],
          placeholder: text(values.placeholder),
          notFoundUrl: text(values["not-found-url"]),
          expiredUrl: text(values["expired-url"]),
        });
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const field = String(issue.path[0]);
          throw unprocessable(`${field === "slug" ? rest[0] : OPTION_OF[field]} ${issue.message}`);
        }
        const domain = await service.create(principal, parsed.data);
        print(presentDomain(domain), values.json, `Added ${domain.slug} (${domain.id})`);
      } else if (action === "list") {
        const all: Domain[] = [];
        for (const archived of [false, true])
          for (let page = 1; ; page += 1) {
            const found = await service.list(principal, { archived, page, pageSize: PAGE_SIZE });
            all.push(...found);
            if (found.length < PAGE_SIZE) break;
          }
        const counted = await Promise.all(
          all.map(async (domain) => ({ domain, links: await service.linkCount(principal, domain.slug) })),
        );
        print(
          all.map(presentDomain),
          values.json,
          table(
            counted.map(({ domain, links }) => ({
              slug: domain.slug,
              links,
              archived: domain.archived,
              placeholder: domain.placeholder,
              notFoundUrl: domain.notFoundUrl,
              expiredUrl: domain.expiredUrl,
              createdAt: iso(domain.createdAt),
            })),
          ),
        );
      } else {
        const slug = rest[0];
        const links = await service.linkCount(principal, slug);
        if (links > 0 && values.yes !== true)
          throw new ExplainedError(
            `clicktrail: ${slug} has ${plural(links)}; removing the domain deletes its links too (they stop ` +
              `redirecting). Run again with --yes to remove ${slug} and its ${plural(links)}.`,
          );
        const { slug: removed } = await service.delete(principal, slug);
        print(
          { slug: removed, deletedLinks: links },
          values.json,
          `Removed ${removed}${links > 0 ? ` and its ${plural(links)}` : ""}`,
        );
      }
    });
  },
};

const plural = (count: number) => `${count.toLocaleString("en-US")} link${count === 1 ? "" : "s"}`;
