import type { Click } from "../../src/domain/clicks/model.js";

type LinkLike = { id: string; domain: string; key: string; url: string };

/** A click on `link` as a redirect records it (a desktop Chrome visitor, no referrer, no UTM), with `overrides`. */
export function testClick(
  workspaceId: string,
  link: LinkLike,
  overrides: Partial<Click> & Pick<Click, "id" | "timestamp" | "identityHash">,
): Click {
  return {
    workspaceId,
    linkId: link.id,
    domain: link.domain,
    key: link.key,
    url: link.url,
    ip: "203.0.113.1",
    country: "Unknown",
    continent: "Unknown",
    region: "Unknown",
    city: "Unknown",
    device: "Desktop",
    browser: "Chrome",
    os: "Mac OS",
    engine: "Blink",
    ua: "Mozilla/5.0",
    referer: "(direct)",
    refererUrl: "(direct)",
    qr: false,
    trigger: "link",
    utmSource: null,
    utmMedium: null,
    utmCampaign: null,
    utmTerm: null,
    utmContent: null,
    ...overrides,
  };
}
