import type { LinkFields } from "./model.js";

const PARAMS = {
  utmSource: "utm_source",
  utmMedium: "utm_medium",
  utmCampaign: "utm_campaign",
  utmTerm: "utm_term",
  utmContent: "utm_content",
} as const;

type UtmFields = Pick<LinkFields, keyof typeof PARAMS>;

/**
 * As in Dub, a link's UTM fields live in its destination URL: fields given are written into the URL's query
 * (`null` removes one), and the stored fields are read back from the URL, so the two never disagree.
 */
export function withUtm(url: string, fields: Partial<UtmFields>): { url: string } & UtmFields {
  const target = new URL(url);
  let changed = false;
  for (const [field, param] of Object.entries(PARAMS)) {
    const value = fields[field as keyof UtmFields];
    if (value === undefined) continue;
    if (value === null || value === "") target.searchParams.delete(param);
    else target.searchParams.set(param, value);
    changed = true;
  }
  const finalUrl = changed ? target.toString() : url;
  const query = new URL(finalUrl).searchParams;
  return {
    url: finalUrl,
    utmSource: query.get(PARAMS.utmSource),
    utmMedium: query.get(PARAMS.utmMedium),
    utmCampaign: query.get(PARAMS.utmCampaign),
    utmTerm: query.get(PARAMS.utmTerm),
    utmContent: query.get(PARAMS.utmContent),
  };
}

export const touchesUtm = (fields: Partial<LinkFields>) =>
  fields.url !== undefined ||
  Object.keys(PARAMS).some((field) => fields[field as keyof UtmFields] !== undefined);

/**
 * The UTM values a link keeps when its URL changes, as Dub keeps them: each stored value whose parameter the new
 * URL does not name itself (an update that names a UTM field, even as null, decides that one instead).
 */
export function keptUtm(newUrl: string | undefined, stored: UtmFields): Partial<UtmFields> {
  if (newUrl === undefined) return {};
  const query = new URL(newUrl).searchParams;
  const kept: Partial<UtmFields> = {};
  for (const [field, param] of Object.entries(PARAMS) as [keyof UtmFields, string][]) {
    if (stored[field] !== null && !query.has(param)) kept[field] = stored[field];
  }
  return kept;
}
