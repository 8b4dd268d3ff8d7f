import { createHmac } from "node:crypto";
import type { Clock } from "../../infra/clock.js";
import { newClickId } from "../../infra/ids.js";
import { anonymize } from "../../infra/ip-address.js";
import { parseUserAgent } from "../../infra/user-agent.js";
import type { LinkService } from "../links/link-service.js";
import type { Link } from "../links/model.js";
import type { OutboxEvent } from "../webhooks/model.js";
import type { ClickRecorder } from "./click-recorder.js";
import { buildDestination, utmOf } from "./destination.js";
import type { Click, GeoResolver } from "./ports.js";
import { shouldTrack, type VisitSignals } from "./tracking-policy.js";

/** What a click records of the request that made it. */
export type ClickContext = {
  ip: string;
  userAgent: string;
  referer: string | undefined;
  countryHint: string | undefined;
  query: Record<string, string>;
};

export type Visit = VisitSignals & ClickContext & { host: string; key: string };

export type RedirectOutcome =
  | { kind: "redirect"; location: string; clickId: string | null }
  | { kind: "not_found" }
  | { kind: "expired" };

export type RedirectOptions = {
  anonymizeIp: boolean;
  /** Keys the visitor hash, so a stored hash cannot be turned back into an IP by trying them all. */
  visitorSecret: string;
  /** A click that could not be stored; the visitor is still sent on, without a click id. */
  onClickLost: (error: unknown) => void;
  /** The `link.clicked` event for a click, when some webhook of its workspace listens; queued with the click. */
  linkClicked: (link: Link, click: Click) => Promise<OutboxEvent | null>;
  onWebhookQueued: () => void;
};

export class RedirectService {
  constructor(
    private readonly links: LinkService,
    private readonly recorder: ClickRecorder,
    private readonly geo: GeoResolver,
    private readonly clock: Clock,
    private readonly options: RedirectOptions,
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
      clickId = await this.recordClick(link, visit, now);
    } catch (error) {
      this.options.onClickLost(error);
    }
    return {
      kind: "redirect",
      location: buildDestination(link.url, visit.query, link.trackConversion ? clickId : null),
      clickId,
    };
  }

  /** Commits the click (or finds the visitor's click of the last hour) and returns its id. */
  async recordClick(link: Link, visit: ClickContext, now = this.clock.now()): Promise<string> {
    const click = this.describeClick(link, visit, now);
    const webhook = await this.options.linkClicked(link, click);
    const clickId = await this.recorder.record(webhook ? { ...click, webhook } : click);
    if (webhook) this.options.onWebhookQueued();
    return clickId;
  }

  private describeClick(link: Link, visit: ClickContext, now: number): Click {
    const referer = parseReferer(visit.referer);
    const qr = visit.query.qr === "1";
    return {
      id: newClickId(),
      workspaceId: link.workspaceId,
      linkId: link.id,
      timestamp: now,
      identityHash: createHmac("sha256", this.options.visitorSecret)
        .update(`${visit.ip}-${visit.userAgent}`)
        .digest("hex"),
      domain: link.domain,
      key: link.key,
      url: link.url,
      ip: this.options.anonymizeIp ? anonymize(visit.ip) : visit.ip,
      ...this.geo.locate(visit.ip, visit.countryHint),
      ...parseUserAgent(visit.userAgent),
      ua: visit.userAgent,
      referer: referer.domain,
      refererUrl: referer.url,
      qr,
      trigger: qr ? "qr" : "link",
      ...utmOf(link.url),
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

function parseReferer(referer: string | undefined): { domain: string; url: string } {
  if (!referer) return { domain: "(direct)", url: "(direct)" };
  try {
    return { domain: new URL(referer).hostname.replace(/^www\./, ""), url: referer };
  } catch {
    return { domain: "(direct)", url: "(direct)" };
  }
}
