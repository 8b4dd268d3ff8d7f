import { createHmac } from "node:crypto";
import { newClickId } from "../ids.js";
import type { Link } from "../links/model.js";
import type { WebhookTrigger } from "../webhooks/model.js";
import type { WebhookPayloads } from "../webhooks/ports.js";
import { CLICK_COOKIE_SECONDS, isClickIdShape } from "./click-cookie.js";
import type { ClickRecorder } from "./click-recorder.js";
import { utmOf } from "./destination.js";
import { anonymize } from "./ip-address.js";
import type { Click } from "./model.js";
import type { ClickStore, DeviceDetector, DeviceInfo, GeoResolver, Location } from "./ports.js";

/** What a click records of the request that made it. */
export type ClickContext = {
  ip: string;
  userAgent: string;
  referer: string | undefined;
  countryHint: string | undefined;
  query: Record<string, string>;
};

export type ClickTrackerOptions = {
  anonymizeIp: boolean;
  /** Keys the visitor hash, so a stored hash cannot be turned back into an IP by trying them all. */
  visitorSecret: string;
  /** Whether a browser's remembered click id stands for its return visits (off when clicks are not deduplicated). */
  rememberClicks: boolean;
};

/**
 * Every click, whether a redirect made it or a site's script reported it (`POST /track/click`): described
 * from its request, queued with its `link.clicked` event when some webhook of the workspace listens, and
 * committed before its id is handed out.
 */
export class ClickTracker {
  constructor(
    private readonly recorder: ClickRecorder,
    private readonly geo: GeoResolver,
    private readonly devices: DeviceDetector,
    private readonly subscribers: {
      hasSubscribers(workspaceId: string, trigger: WebhookTrigger): Promise<boolean>;
    },
    private readonly payloads: Pick<WebhookPayloads, "linkClicked">,
    private readonly options: ClickTrackerOptions,
    private readonly clicks: Pick<ClickStore, "findById">,
  ) {}

  get remembersClicks(): boolean {
    return this.options.rememberClicks;
  }

  /**
   * The click id a returning browser brought back (Dub's `dub_id_<domain>_<key>` cookie), if it is a click of
   * this very link from the last hour: the visit is that click again and records nothing. Null otherwise, and the
   * visit is tracked as any other; a forged or stale value never stands for a click it is not.
   */
  async recall(link: Link, remembered: string | undefined, now: number): Promise<string | null> {
    if (!this.options.rememberClicks || remembered === undefined || !isClickIdShape(remembered)) return null;
    const click = await this.clicks.findById(link.workspaceId, remembered);
    if (click === null || click.linkId !== link.id) return null;
    return now - click.timestamp < CLICK_COOKIE_SECONDS * 1000 ? click.id : null;
  }

  /** The visitor's address as this server keeps it (anonymised when configured): what it may pass on. */
  keptAddress(ip: string): string {
    return this.options.anonymizeIp ? anonymize(ip) : ip;
  }

  /** The visitor behind a request, each trait worked out when first asked. */
  visitor(context: ClickContext): Visitor {
    return new Visitor(context, this.geo, this.devices, this.options.visitorSecret);
  }

  /**
   * Commits the click (or finds the visitor's click of the dedupe window) and returns its id. `choice` is where
   * the visitor was sent when that is not the link's `url` (a device, country or A/B target), with the visitor
   * already described for choosing it; the click records that destination, and so do the conversions it leads to.
   */
  async track(
    link: Link,
    context: ClickContext,
    now: number,
    choice?: { url: string; visitor: Visitor },
  ): Promise<string> {
    const click = this.describe(link, choice?.visitor ?? this.visitor(context), now, choice?.url ?? link.url);
    const webhook = (await this.subscribers.hasSubscribers(link.workspaceId, "link.clicked"))
      ? this.payloads.linkClicked(link, click)
      : null;
    return this.recorder.record(click, webhook);
  }

  private describe(link: Link, visitor: Visitor, now: number, url: string): Click {
    const { context } = visitor;
    const referer = parseReferer(context.referer);
    const qr = context.query.qr === "1";
    return {
      id: newClickId(),
      workspaceId: link.workspaceId,
      linkId: link.id,
      timestamp: now,
      identityHash: visitor.identityHash,
      domain: link.domain,
      key: link.key,
      url,
      ip: this.keptAddress(context.ip),
      ...visitor.location,
      ...visitor.device,
      ua: context.userAgent,
      referer: referer.domain,
      refererUrl: referer.url,
      qr,
      trigger: qr ? "qr" : "link",
      ...utmOf(url),
    };
  }
}

/** A request's visitor: where from, on what device, and the keyed hash that recognises them again. */
export class Visitor {
  private knownDevice: DeviceInfo | undefined;
  private knownLocation: Location | undefined;
  private knownHash: string | undefined;

  constructor(
    readonly context: ClickContext,
    private readonly geo: GeoResolver,
    private readonly devices: DeviceDetector,
    private readonly secret: string,
  ) {}

  get device(): DeviceInfo {
    this.knownDevice ??= this.devices.detect(this.context.userAgent);
    return this.knownDevice;
  }

  get location(): Location {
    this.knownLocation ??= this.geo.locate(this.context.ip, this.context.countryHint);
    return this.knownLocation;
  }

  /** Keyed, so that a stored hash cannot be turned back into an IP by trying them all. */
  get identityHash(): string {
    this.knownHash ??= createHmac("sha256", this.secret)
      .update(`${this.context.ip}-${this.context.userAgent}`)
      .digest("hex");
    return this.knownHash;
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
