const NOT_FORWARDED = new Set(["dub-no-track", "qr"]);

/**
 * The URL a visitor is sent to: the link's destination with the short link's own query passed through
 * (it wins over the destination's), and `dub_id` when the click is tracked for conversions.
 */
export function buildDestination(url: string, query: Record<string, string>, clickId: string | null): string {
  const target = new URL(url);
  for (const [name, value] of Object.entries(query)) {
    if (!NOT_FORWARDED.has(name)) target.searchParams.set(name, value);
  }
  if (clickId) target.searchParams.set("dub_id", clickId);
  return target.toString();
}

export function utmOf(url: string) {
  const params = new URL(url).searchParams;
  return {
    utmSource: params.get("utm_source"),
    utmMedium: params.get("utm_medium"),
    utmCampaign: params.get("utm_campaign"),
    utmTerm: params.get("utm_term"),
    utmContent: params.get("utm_content"),
  };
}
