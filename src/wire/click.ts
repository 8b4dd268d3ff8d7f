import type { Attribution } from "../domain/clicks/model.js";
import { iso } from "./iso.js";

/** What a click object shows of a click, or of the attribution a conversion copied from one. */
export type ClickFields = Omit<
  Attribution,
  "clickId" | "linkId" | "utmSource" | "utmMedium" | "utmCampaign" | "utmTerm" | "utmContent"
>;

/** Dub's click object, as events and webhook payloads nest it. */
export function presentClick(id: string, timestamp: number, click: ClickFields, ua: string | null) {
  return {
    id,
    timestamp: iso(timestamp),
    url: click.url,
    country: click.country,
    city: click.city,
    region: click.region,
    continent: click.continent,
    device: click.device,
    browser: click.browser,
    os: click.os,
    ua,
    trigger: click.trigger,
    referer: click.referer,
    refererUrl: click.refererUrl,
    qr: click.qr,
    ip: click.ip,
  };
}
