import { createHash } from "node:crypto";
import type { Clock } from "../../infra/clock.js";
import { newClickId } from "../../infra/ids.js";
import { parseUserAgent } from "../../infra/user-agent.js";
import type { LinkService } from "../links/link-service.js";
import type { Link } from "../links/model.js";
import type { ClickRecorder } from "./click-recorder.js";
import { buildDestination, utmOf } from "./destination.js";
import type { Click, GeoResolver } from "./ports.js";
import { shouldTrack, type VisitSignals } from "./tracking-policy.js";

export type Visit = VisitSignals & {
  host: string;
  key: string;
  ip: string;
  referer: string | undefined;
  countryHint: string | undefined;
};

export type RedirectOutcome =
  | { kind: "redirect"; location: string; clickId: string | null }
  | { kind: "not_found" }
  | { kind: "expired" };

export class RedirectService {
  constructor(
    private readonly links: LinkService,
    private readonly recorder: ClickRecorder,
    private readonly geo: GeoResolver,
    private readonly clock: Clock,
    private readonly anonymizeIp: boolean,
  ) {}

  async visit(visit: Visit): Promise<RedirectOutcome> {
    const link = await this.links.resolve(visit.host, visit.key);
    if (!link || link.disabledAt !== null) return { kind: "not_found" };
    const now = this.clock.now();
    if (link.expiresAt !== null && link.expiresAt <= now) {
      return link.expiredUrl ? { kind: "redirect", location: link.expiredUrl, clickId: null } : { kind: "expired" };
    }
    if (!shouldTrack(visit)) return { kind: "redirect", location: buildDestination(link.url, visit.query, null), clickId: null };

    const clickId = await this.recorder.record(this.describeClick(link, visit, now));
    return {
      kind: "redirect",
      location: buildDestination(link.url, visit.query, link.trackConversion ? clickId : null),
      clickId,
    };
  }

  private describeClick(link: Link, visit: Visit, now: number): Click {
    const referer = parseReferer(visit.referer);
    const qr = visit.query.qr === "1";
    return {
      id: newClickId(),
      workspaceId: link.workspaceId,
      linkId: link.id,
      timestamp: now,
      identityHash: createHash("sha256").update(`${visit.ip}-${visit.userAgent}`).digest("hex"),
      domain: link.domain,
      key: link.key,
      url: link.url,
      ip: this.anonymizeIp ? anonymize(visit.ip) : visit.ip,
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

/** Drops the host part of an address: the last octet of IPv4, the last 80 bits of IPv6. */
export function anonymize(ip: string): string {
  const v4 = ip.match(/^(::ffff:)?(\d+\.\d+\.\d+)\.\d+$/i);
  if (v4) return `${v4[1] ?? ""}${v4[2]}.0`;
  const [head, tail] = ip.split("::");
  const groups = head ? head.split(":") : [];
  const rest = tail ? tail.split(":") : [];
  const full = [...groups, ...Array(Math.max(0, 8 - groups.length - rest.length)).fill("0"), ...rest];
  return `${full.slice(0, 3).join(":")}::`;
}
