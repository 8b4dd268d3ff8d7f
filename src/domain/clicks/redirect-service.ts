import type { Announcer } from "../announcements.js";
import type { Clock } from "../clock.js";
import type { LinkService } from "../links/link-service.js";
import type { ClickContext, ClickTracker } from "./click-tracker.js";
import { buildDestination } from "./destination.js";
import { shouldTrack, type VisitSignals } from "./tracking-policy.js";

export type Visit = VisitSignals & ClickContext & { host: string; key: string };

export type RedirectOutcome =
  | { kind: "redirect"; location: string; clickId: string | null }
  | { kind: "not_found" }
  | { kind: "expired" };

export class RedirectService {
  constructor(
    private readonly links: LinkService,
    private readonly clicks: ClickTracker,
    private readonly clock: Clock,
    private readonly announcer: Announcer,
  ) {}

  async visit(visit: Visit): Promise<RedirectOutcome> {
    const link = await this.links.resolve(visit.host, visit.key);
    if (!link || link.disabledAt !== null) return { kind: "not_found" };
    const now = this.clock.now();
    if (link.expiresAt !== null && link.expiresAt <= now) {
      const location = link.expiredUrl ? asLocation(link.expiredUrl) : null;
      return location ? { kind: "redirect", location, clickId: null } : { kind: "expired" };
    }
    if (!shouldTrack(visit))
      return { kind: "redirect", location: buildDestination(link.url, visit.query, null), clickId: null };

    let clickId: string | null = null;
    try {
      clickId = await this.clicks.track(link, visit, now);
    } catch (error) {
      // The visitor is sent on all the same, without a click id.
      this.announcer.announce({ type: "click.lost", error });
    }
    return {
      kind: "redirect",
      location: buildDestination(link.url, visit.query, link.trackConversion ? clickId : null),
      clickId,
    };
  }
}

/** A stored URL as a `Location` value: parsed and serialised, so CR/LF, NUL and non-ASCII never reach a header. */
function asLocation(url: string): string | null {
  try {
    return buildDestination(url, {}, null);
  } catch {
    return null;
  }
}
