const NOT_FORWARDED = new Set(["dub-no-track", "qr"]);

/**
 * The URL a visitor is sent to: the link's destination with the short link's own query passed through
 * (it wins over the destination's), and `dub_id` when the click is tracked for conversions.
 * The destination's own parameters are kept byte for byte (signed URLs break if `%20` becomes `+`);
 * only the parameters this adds are encoded here.
 */
export function buildDestination(url: string, query: Record<string, string>, clickId: string | null): string {
  const target = new URL(url);
  const added = new Map<string, string>();
  for (const [name, value] of Object.entries(query)) {
    if (!NOT_FORWARDED.has(name)) added.set(name, value);
  }
  if (clickId) added.set("dub_id", clickId);
  if (added.size === 0) return target.toString();
  const kept = target.search
    .slice(1)
    .split("&")
    .filter((pair) => pair !== "" && !added.has(nameOf(pair)));
  target.search = [...kept, new URLSearchParams([...added]).toString()].join("&");
  return target.toString();
}

const nameOf = (pair: string) => new URLSearchParams(pair).keys().next().value ?? "";

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
