import type { Clock } from "../clock.js";
import { DomainError, notFound } from "../errors.js";
import type { LinkService } from "../links/link-service.js";
import type { WorkspaceStore } from "../workspaces/ports.js";
import type { ClickContext, ClickTracker } from "./click-tracker.js";
import { shouldTrack } from "./tracking-policy.js";

export type ClientClick = Omit<ClickContext, "query"> & {
  domain: string;
  key: string;
  origin: string | undefined;
};

/** Clicks reported by the browser script of a site the workspace allows (Dub's POST /track/click). */
export class ClientClickService {
  constructor(
    private readonly links: LinkService,
    private readonly workspaces: WorkspaceStore,
    private readonly clicks: ClickTracker,
    private readonly clock: Clock,
  ) {}

  /** The click id, or null when the visitor is a bot and nothing was recorded. */
  async track(click: ClientClick): Promise<string | null> {
    const domain = click.domain.replace(/^www\./, "");
    const link = await this.links.resolve(domain, click.key);
    if (!link || link.disabledAt !== null)
      throw notFound(`Link not found for domain: ${domain} and key: ${click.key}.`);
    const workspace = await this.workspaces.getWorkspace(link.workspaceId);
    const hostname = originHostname(click.origin);
    if (!hostname || !workspace || !isAllowedHostname(hostname, workspace.allowedHostnames)) {
      throw new DomainError(
        "forbidden",
        `Requests from ${hostname ?? "an unknown origin"} may not record clicks for this workspace: add the host name to its allowed host names.`,
      );
    }
    if (
      !shouldTrack({
        method: "GET",
        userAgent: click.userAgent,
        noTrackHeader: false,
        prefetch: false,
        query: {},
      })
    )
      return null;
    return this.clicks.track(link, { ...click, query: {} }, this.clock.now());
  }
}

function originHostname(origin: string | undefined): string | null {
  if (!origin) return null;
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return null;
  }
}

/** "example.com" allows exactly that host; "*.example.com" allows its subdomains and the apex. */
export function isAllowedHostname(hostname: string, allowed: string[]): boolean {
  const host = hostname.toLowerCase();
  const bare = host.replace(/:\d+$/, "");
  return allowed.some((pattern) => {
    if (!pattern.startsWith("*.")) return pattern === host || pattern === bare;
    const apex = pattern.slice(2);
    return bare === apex || bare.endsWith(`.${apex}`);
  });
}
