import { createHmac } from "node:crypto";
import { isIP } from "node:net";
import type { Clock } from "../../infra/clock.js";
import { newClickId } from "../../infra/ids.js";
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
      return link.expiredUrl
        ? { kind: "redirect", location: link.expiredUrl, clickId: null }
        : { kind: "expired" };
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

function parseReferer(referer: string | undefined): { domain: string; url: string } {
  if (!referer) return { domain: "(direct)", url: "(direct)" };
  try {
    return { domain: new URL(referer).hostname.replace(/^www\./, ""), url: referer };
  } catch {
    return { domain: "(direct)", url: "(direct)" };
  }
}

/**
 * Drops the host part of an address: the last octet of IPv4 (also IPv4-mapped IPv6), the last 80 bits of
 * IPv6. The result is in canonical form (RFC 5952), so one network is always stored as one string.
 * Anything that is not an IP address gives "": an anonymised column must never leak what it was given.
 */
export function anonymize(ip: string): string {
  const address = ip.trim().replace(/%.*$/, "");
  const kind = isIP(address);
  if (kind === 4) return address.replace(/\.\d+$/, ".0");
  if (kind !== 6) return "";
  const groups = ipv6Groups(address);
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return `::ffff:${groups[6] >> 8}.${groups[6] & 0xff}.${groups[7] >> 8}.0`;
  }
  return formatIpv6([...groups.slice(0, 3), 0, 0, 0, 0, 0]);
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail converted). */
function ipv6Groups(address: string): number[] {
  const parse = (part: string) => {
    if (part === "") return [];
    return part.split(":").flatMap((piece) => {
      if (!piece.includes(".")) return [Number.parseInt(piece, 16)];
      const [a, b, c, d] = piece.split(".").map(Number);
      return [(a << 8) | b, (c << 8) | d];
    });
  };
  const [head, tail] = address.split("::");
  const left = parse(head);
  if (tail === undefined) return left;
  const right = parse(tail);
  return [...left, ...Array(8 - left.length - right.length).fill(0), ...right];
}

/** RFC 5952: lower-case hex without leading zeros; the longest run of two or more zero groups becomes `::`. */
function formatIpv6(groups: number[]): string {
  let best = { start: -1, length: 0 };
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (best.length < 2) return hex.join(":");
  return `${hex.slice(0, best.start).join(":")}::${hex.slice(best.start + best.length).join(":")}`;
}
