import { createHmac } from "node:crypto";
import { newClickId } from "../ids.js";
import type { Link } from "../links/model.js";
import type { WebhookTrigger } from "../webhooks/model.js";
import type { WebhookPayloads } from "../webhooks/ports.js";
import type { ClickRecorder } from "./click-recorder.js";
import { utmOf } from "./destination.js";
import { anonymize } from "./ip-address.js";
import type { Click } from "./model.js";
import type { DeviceDetector, GeoResolver } from "./ports.js";

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
  ) {}

  /** Commits the click (or finds the visitor's click of the dedupe window) and returns its id. */
  async track(link: Link, context: ClickContext, now: number): Promise<string> {
    const click = this.describe(link, context, now);
    const webhook = (await this.subscribers.hasSubscribers(link.workspaceId, "link.clicked"))
      ? this.payloads.linkClicked(link, click)
      : null;
    return this.recorder.record(click, webhook);
  }

  private describe(link: Link, context: ClickContext, now: number): Click {
    const referer = parseReferer(context.referer);
    const qr = context.query.qr === "1";
    return {
      id: newClickId(),
      workspaceId: link.workspaceId,
      linkId: link.id,
      timestamp: now,
      identityHash: createHmac("sha256", this.options.visitorSecret)
        .update(`${context.ip}-${context.userAgent}`)
        .digest("hex"),
      domain: link.domain,
      key: link.key,
      url: link.url,
      ip: this.options.anonymizeIp ? anonymize(context.ip) : context.ip,
      ...this.geo.locate(context.ip, context.countryHint),
      ...this.devices.detect(context.userAgent),
      ua: context.userAgent,
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
