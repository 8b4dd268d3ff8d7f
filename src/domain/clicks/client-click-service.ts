import type { Clock } from "../clock.js";
import { DomainError, notFound } from "../errors.js";
import type { LinkService } from "../links/link-service.js";
import { isAllowedHostname, pageHostname } from "../workspaces/allowed-sites.js";
import type { WorkspaceStore } from "../workspaces/ports.js";
import type { ClickContext, ClickTracker } from "./click-tracker.js";
import { shouldTrack } from "./tracking-policy.js";

export type ClientClick = Omit<ClickContext, "query"> & {
  domain: string;
  key: string;
  /** The page's `Origin` and `Referer` headers: the page is the Referer's, else the Origin's. */
  origin: string | undefined;
  pageReferer: string | undefined;
  /** The workspace of the publishable key the page sent, if it sent one: the link must be that workspace's. */
  keyWorkspaceId?: string;
};

/** An app's open through a deep link (Dub's POST /track/open): the link's URL as the app received it. */
export type DeepLinkOpen = Omit<ClickContext, "query"> & { deepLink: string };

export type OpenedLink = {
  clickId: string | null;
  link: { id: string; domain: string; key: string; url: string };
};

/**
 * Clicks reported by the browser script of a site the workspace allows (Dub's POST /track/click), and opens of
 * an app through a deep link (POST /track/open).
 */
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
    const foreign = click.keyWorkspaceId !== undefined && link?.workspaceId !== click.keyWorkspaceId;
    if (!link || link.disabledAt !== null || foreign)
      throw notFound(`Link not found for domain: ${domain} and key: ${click.key}.`);
    const workspace = await this.workspaces.getWorkspace(link.workspaceId);
    if (!workspace) throw notFound(`Link not found for domain: ${domain} and key: ${click.key}.`);
    // Dub's rule: a workspace that names no site takes clicks from any page (ADR 21).
    if (workspace.allowedHostnames.length > 0) {
      const hostname = pageHostname(click.pageReferer, click.origin);
      if (!hostname || !isAllowedHostname(hostname, workspace.allowedHostnames)) {
        throw new DomainError(
          "forbidden",
          `Request origin '${hostname ?? "unknown"}' is not included in the allowed hostnames for this workspace.`,
        );
      }
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

  /**
   * The click of an app opened through the short link `deepLink` (`https://<domain>/<key>`), recorded as a visit
   * of that link would be (the same visitor within the dedupe window gets the same click id; a bot none). An app
   * is no web page, so the workspace's allowed host names do not apply.
   */
  async open(open: DeepLinkOpen): Promise<OpenedLink> {
    const url = new URL(open.deepLink);
    // The host with its port: a short domain may carry one (the embedded default is localhost:<port>).
    const domain = url.host.replace(/^www\./, "").toLowerCase();
    const key = keyOfDeepLink(url);
    const link = key === null ? null : await this.links.resolve(domain, key);
    if (!link || link.domain !== domain || link.disabledAt !== null) {
      throw notFound(`Deep link not found: ${url.href}`);
    }
    const tracked = shouldTrack({
      method: "GET",
      userAgent: open.userAgent,
      noTrackHeader: false,
      prefetch: false,
      query: {},
    });
    return {
      clickId: tracked ? await this.clicks.track(link, { ...open, query: {} }, this.clock.now()) : null,
      link: { id: link.id, domain: link.domain, key: link.key, url: link.url },
    };
  }
}

/** The key a deep link's path names; none for a bare domain or a path with a malformed escape (`%ZZ`). */
function keyOfDeepLink(url: URL): string | null {
  try {
    return decodeURIComponent(url.pathname.slice(1)) || null;
  } catch {
    return null;
  }
}
