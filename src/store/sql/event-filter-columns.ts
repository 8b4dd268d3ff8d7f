import type { EventFilter } from "../../domain/events/model.js";

/** The event columns a filter matches exactly; every event table (clicks, leads, sales) has them. */
export const EVENT_FILTER_COLUMNS: Partial<Record<keyof EventFilter, string>> = {
  country: "country",
  city: "city",
  region: "region",
  continent: "continent",
  device: "device",
  browser: "browser",
  os: "os",
  trigger: "trigger",
  referer: "referer",
  refererUrl: "referer_url",
  url: "url",
  utmSource: "utm_source",
  utmMedium: "utm_medium",
  utmCampaign: "utm_campaign",
  utmTerm: "utm_term",
  utmContent: "utm_content",
};
