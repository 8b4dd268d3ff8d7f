import type { Announcer } from "../announcements.js";
import type { Clock } from "../clock.js";
import type { DomainService } from "../domains/domain-service.js";
import type { LinkService } from "../links/link-service.js";
import type { ClickContext, ClickTracker } from "./click-tracker.js";
import { buildDestination } from "./destination.js";
import { decideRoot, decideVisit, type RedirectDecision } from "./redirect-decision.js";
import { shouldTrack, type VisitSignals } from "./tracking-policy.js";

export type Visit = VisitSignals & ClickContext & { host: string; key: string };

export type RedirectOutcome =
  | { kind: "redirect"; location: string; clickId: string | null }
  | { kind: "not_found" }
  | { kind: "expired" }
  | { kind: "home" };

export class RedirectService {
  constructor(
    private readonly links: LinkService,
    private readonly domains: Pick<DomainService, "fallbacks">,
    private readonly clicks: ClickTracker,
    private readonly clock: Clock,
    private readonly announcer: Announcer,
  ) {}

  async visit(visit: Visit): Promise<RedirectOutcome> {
    const link = await this.links.resolve(visit.host, visit.key);
    const now = this.clock.now();
    let decision = decideVisit(link, now, undefined);
    if (decision.kind === "ask_domain") {
      decision = decideVisit(link, now, await this.domains.fallbacks(visit.host));
    }
    if (decision.kind !== "follow") return outcomeOf(decision);
    if (!shouldTrack(visit))
      return {
        kind: "redirect",
        location: buildDestination(decision.link.url, visit.query, null),
        clickId: null,
      };

    let clickId: string | null = null;
    try {
      clickId = await this.clicks.track(decision.link, visit, now);
    } catch (error) {
      // The visitor is sent on all the same, without a click id.
      this.announcer.announce({ type: "click.lost", error });
    }
    return {
      kind: "redirect",
      location: buildDestination(
        decision.link.url,
        visit.query,
        decision.link.trackConversion ? clickId : null,
      ),
      clickId,
    };
  }

  /** A visit to a host's root (`/`). */
  async root(host: string): Promise<RedirectOutcome> {
    return outcomeOf(decideRoot(await this.domains.fallbacks(host)));
  }
}

function outcomeOf(decision: Exclude<RedirectDecision, { kind: "follow" }>): RedirectOutcome {
  switch (decision.kind) {
    case "fallback":
      return { kind: "redirect", location: decision.location, clickId: null };
    case "ask_domain":
      throw new Error("a redirect was decided without the domain it needs");
    default:
      return decision;
  }
}
