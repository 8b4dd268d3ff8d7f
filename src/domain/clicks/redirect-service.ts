import type { Announcer } from "../announcements.js";
import type { Clock } from "../clock.js";
import type { DomainService } from "../domains/domain-service.js";
import type { LinkService } from "../links/link-service.js";
import type { Link } from "../links/model.js";
import type { RateLimiter } from "../workspaces/ports.js";
import { CLICK_COOKIE_SECONDS, clickCookie } from "./click-cookie.js";
import type { ClickContext, ClickTracker } from "./click-tracker.js";
import { buildDestination } from "./destination.js";
import { isUnlocked, passwordMatches, UNLOCK_SECONDS, unlockToken } from "./password-gate.js";
import { decideRoot, decideVisit, type RedirectDecision } from "./redirect-decision.js";
import { smartDestination, targetingNeeds, variantBucket } from "./smart-destination.js";
import { isSocialCrawler } from "./social-crawlers.js";
import { shouldTrack, type VisitSignals } from "./tracking-policy.js";

export type Visit = VisitSignals &
  ClickContext & {
    host: string;
    key: string;
    /** The scheme the short link was opened with. */
    protocol?: "http" | "https";
    /** The token a right password earned (`Unlock`), as the browser sends it back for this link. */
    unlockToken?: (linkId: string) => string | undefined;
    /** A cookie the browser sent, by name. */
    cookie?: (name: string) => string | undefined;
  };

/** A click id for the browser to bring back to this link (`clickCookie`). */
export type Remember = { name: string; path: string; clickId: string; maxAgeSeconds: number };

/** Lets a browser back into a password-protected link without asking again. */
export type Unlock = { linkId: string; token: string; maxAgeSeconds: number };

/** What a short link shows its social crawlers when it has `proxy`. */
export type LinkPreview = { title: string; description: string | null; image: string | null };

export type RedirectOutcome =
  /** `indexable`: the link has `doIndex`. */
  | {
      kind: "redirect";
      location: string;
      clickId: string | null;
      indexable?: boolean;
      unlock?: Unlock;
      remember?: Remember;
    }
  /** `rewrite`: a page that frames the destination. */
  | {
      kind: "frame";
      location: string;
      clickId: string | null;
      title: string;
      indexable: boolean;
      unlock?: Unlock;
      remember?: Remember;
    }
  | { kind: "preview"; preview: LinkPreview; indexable: boolean }
  /** The link asks for its password; `wrong`: one was posted and it was not that. */
  | { kind: "password"; wrong: boolean }
  | { kind: "throttled"; retryAfterSeconds: number }
  | { kind: "not_found" }
  | { kind: "expired" }
  | { kind: "home" };

export type PasswordGate = {
  /** Counts tries per link and visitor address. */
  attempts: RateLimiter;
  /** Keys the unlock tokens. */
  secret: string;
};

export class RedirectService {
  constructor(
    private readonly links: LinkService,
    private readonly domains: Pick<DomainService, "fallbacks">,
    private readonly clicks: ClickTracker,
    private readonly clock: Clock,
    private readonly announcer: Announcer,
    private readonly gate: PasswordGate,
  ) {}

  async visit(visit: Visit): Promise<RedirectOutcome> {
    const now = this.clock.now();
    const decision = await this.decide(visit, now);
    if (decision.kind !== "follow") return outcomeOf(decision);
    const link = decision.link;
    if (link.password !== null && !isUnlocked(this.gate.secret, link, visit.unlockToken?.(link.id), now)) {
      return { kind: "password", wrong: false };
    }
    return this.follow(link, visit, now);
  }

  /** A password posted to a short link: throttled per link and address, then checked, then the visit goes on. */
  async unlock(visit: Visit, password: string): Promise<RedirectOutcome> {
    const now = this.clock.now();
    const decision = await this.decide(visit, now);
    if (decision.kind !== "follow") return outcomeOf(decision);
    const link = decision.link;
    if (link.password === null) return this.follow(link, visit, now);
    const attempt = await this.gate.attempts.consume(`password:${link.id}:${visit.ip}`);
    if (!attempt.allowed) {
      return { kind: "throttled", retryAfterSeconds: Math.max(1, Math.ceil((attempt.resetAt - now) / 1000)) };
    }
    if (!passwordMatches(password, link.password)) return { kind: "password", wrong: true };
    // The form's POST stands for the GET the password held up: it is tracked as that visit would have been.
    const outcome = await this.follow(link, { ...visit, method: "GET" }, now);
    if (outcome.kind !== "redirect" && outcome.kind !== "frame") return outcome;
    const token = unlockToken(this.gate.secret, link, now);
    return { ...outcome, unlock: { linkId: link.id, token, maxAgeSeconds: UNLOCK_SECONDS } };
  }

  /** A visit to a host's root (`/`). */
  async root(host: string): Promise<RedirectOutcome> {
    return outcomeOf(decideRoot(await this.domains.fallbacks(host)));
  }

  private async decide(visit: Visit, now: number): Promise<RedirectDecision> {
    const link = await this.links.resolve(visit.host, visit.key);
    const decision = decideVisit(link, now, undefined);
    if (decision.kind !== "ask_domain") return decision;
    return decideVisit(link, now, await this.domains.fallbacks(visit.host));
  }

  /** The visitor may go on: a preview for a social crawler, else the (tracked) way to the link's destination. */
  private async follow(link: Link, visit: Visit, now: number): Promise<RedirectOutcome> {
    if (link.proxy && isSocialCrawler(visit.userAgent)) {
      return { kind: "preview", preview: previewOf(link), indexable: link.doIndex };
    }
    const choice = this.destinationOf(link, visit, now);
    const cookie = this.clicks.remembersClicks ? clickCookie(link) : null;
    let clickId: string | null = null;
    if (shouldTrack(visit)) {
      try {
        clickId =
          (cookie && (await this.clicks.recall(link, visit.cookie?.(cookie.name), now))) ??
          (await this.clicks.track(link, visit, now, choice));
      } catch (error) {
        // The visitor is sent on all the same, without a click id.
        this.announcer.announce({ type: "click.lost", error });
      }
    }
    const location = buildDestination(choice?.url ?? link.url, {
      query: visit.query,
      clickId: link.trackConversion ? clickId : null,
      shortLink: `${visit.protocol ?? "https"}://${link.domain}/${link.key}`,
      ip: this.clicks.keptAddress(visit.ip),
      userAgent: visit.userAgent,
    });
    const remember =
      cookie && clickId ? { ...cookie, clickId, maxAgeSeconds: CLICK_COOKIE_SECONDS } : undefined;
    if (link.rewrite) {
      return { kind: "frame", location, clickId, title: link.title ?? "", indexable: link.doIndex, remember };
    }
    return { kind: "redirect", location, clickId, indexable: link.doIndex, remember };
  }

  /** Undefined for a link that sends everyone to its `url`: such a visit reads nothing of its visitor here. */
  private destinationOf(link: Link, visit: Visit, now: number) {
    const needs = targetingNeeds(link, now);
    if (needs === null) return undefined;
    const visitor = this.clicks.visitor(visit);
    const url = smartDestination(
      link,
      {
        os: needs.os ? visitor.device.os : null,
        country: needs.country ? visitor.location.country : null,
        bucket: needs.bucket ? variantBucket(visitor.identityHash, link.id) : null,
      },
      now,
    );
    return { url, visitor };
  }
}

function previewOf(link: Link): LinkPreview {
  return {
    title: link.title ?? `${link.domain}/${link.key}`,
    description: link.description,
    image: link.image,
  };
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
