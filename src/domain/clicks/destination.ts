/** The visitor's parameter that asks for another page than the link's destination (see `redirectTarget`). */
export const REDIRECT_PARAMETER = "redir_url";
/** The visitor's own parameters that instruct the short link and are not the destination's business. */
const NOT_FORWARDED = new Set(["dub-no-track", REDIRECT_PARAMETER]);
/** On a Stripe Payment Link: "put the click id in `client_reference_id`" (Dub's convention). */
const STRIPE_MARKER = "dub_client_reference_id";

/** What of a visit rewrites its destination; everything is optional, an empty visit rewrites nothing. */
export type DestinationVisit = {
  /** The short link's query, as the visitor sent it. */
  query?: Record<string, string>;
  /** The click id to hand on: only when the visit was tracked and the link tracks conversions. */
  clickId?: string | null;
  /** The short link the visitor opened (`https://domain/key`): a Play Store install referrer's `deepLink`. */
  shortLink?: string;
  /** The visitor's address and User-Agent, which app-attribution links (AppsFlyer, Singular) are handed. */
  ip?: string;
  userAgent?: string;
};

/**
 * The URL a visitor is sent to, as Dub builds it: the link's destination (or the visitor's `redir_url` when
 * `redirectTarget` allows it), the short link's query passed through (a parameter the destination has is
 * replaced where it stands), then the click id where the destination's kind expects it — `dub_id`, Stripe's
 * `client_reference_id`, the Play Store install referrer, AppsFlyer's and Singular's click parameters.
 * The destination's own parameters are kept byte for byte (signed URLs break if `%20` becomes `+`); only the
 * parameters this sets are encoded here.
 */
export function buildDestination(url: string, visit: DestinationVisit = {}): string {
  const query = visit.query ?? {};
  const target = new URL(redirectTarget(query[REDIRECT_PARAMETER], url) ?? url);
  const host = target.hostname.toLowerCase();
  const app = appKind(host);
  const clickId = visit.clickId ?? null;
  const names = Object.keys(query);
  if (names.length === 0 && clickId === null && app === null && !target.search.includes(STRIPE_MARKER)) {
    return target.toString();
  }
  const params = new RawQuery(target.search);
  for (const name of names) {
    if (NOT_FORWARDED.has(name) || (name === "qr" && query.qr === "1")) continue;
    params.set(name, query[name]);
  }
  const stripe = params.get(STRIPE_MARKER) === "1";
  params.delete(STRIPE_MARKER);
  if (clickId !== null) {
    if (stripe) params.set("client_reference_id", `dub_id_${clickId}`);
    else params.set("dub_id", clickId);
  }
  if (app === "singular") {
    params.set("cl", clickId ?? "");
    params.set("ua", visit.userAgent ?? "");
    params.set("ip", visit.ip ?? "");
  } else if (app === "appsflyer") {
    params.set("clickid", clickId ?? "");
    params.set("af_ua", visit.userAgent ?? "");
    params.set("af_ip", visit.ip ?? "");
  } else if (app === "google_play") {
    params.set("referrer", installReferrer(params.get("referrer"), visit, query, clickId));
  }
  // Singular's templates, filled wherever they appear: a link with no partner has no `via` to put there.
  if (params.get("wpcn") === "{via}") params.set("wpcn", "");
  if (params.get("wpcl") === "{dub_id}") params.set("wpcl", clickId ?? "");
  target.search = params.toString();
  return target.toString();
}

type AppKind = "singular" | "appsflyer" | "google_play";

/** Dub recognises app-attribution links by host alone. */
function appKind(host: string): AppKind | null {
  if (host.endsWith(".sng.link")) return "singular";
  if (host.endsWith(".onelink.me")) return "appsflyer";
  if (host === "play.google.com") return "google_play";
  return null;
}

/**
 * The Play Store hands `referrer` to the installed app once (Install Referrer API): the link's own referrer
 * parameters, plus `deepLink` (the short link with the visitor's query, as Dub sets it) and, when the click is
 * tracked for conversions, `dub_id`, so the app can attribute its lead without a further lookup.
 */
function installReferrer(
  existing: string | null,
  visit: DestinationVisit,
  query: Record<string, string>,
  clickId: string | null,
): string {
  const referrer = new URLSearchParams(safeDecode(existing ?? ""));
  if (visit.shortLink !== undefined) {
    const search = new URLSearchParams(query).toString();
    referrer.set("deepLink", search ? `${visit.shortLink}?${search}` : visit.shortLink);
  }
  if (clickId !== null) referrer.set("dub_id", clickId);
  return referrer.toString();
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Where `redir_url` may send a visitor instead of the link's destination: an http(s) address on the very host
 * the link already sends to. Dub follows any address, which makes every short link an open redirect; the
 * destination's own host keeps what a campaign needs (a deeper page of the same site) and nothing more.
 */
export function redirectTarget(requested: string | undefined, destination: string): string | null {
  if (!requested) return null;
  const candidate = parseLoosely(requested);
  if (candidate === null || (candidate.protocol !== "http:" && candidate.protocol !== "https:")) return null;
  let own: URL;
  try {
    own = new URL(destination);
  } catch {
    return null;
  }
  return candidate.host.toLowerCase() === own.host.toLowerCase() ? candidate.toString() : null;
}

/** As Dub reads `redir_url`: a full URL, or a bare `host/path` taken as https. */
function parseLoosely(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    if (!value.includes(".") || /\s/.test(value)) return null;
    try {
      return new URL(`https://${value}`);
    } catch {
      return null;
    }
  }
}

/**
 * A query string edited without re-encoding what it does not touch: `set` replaces a parameter where it first
 * stands (dropping its repeats) or appends it, as `URLSearchParams.set` does, but leaves other pairs' bytes alone.
 */
class RawQuery {
  private readonly pairs: { name: string; raw: string }[];

  constructor(search: string) {
    this.pairs = search
      .slice(1)
      .split("&")
      .filter((raw) => raw !== "")
      .map((raw) => ({ name: nameOf(raw), raw }));
  }

  get(name: string): string | null {
    const pair = this.pairs.find((candidate) => candidate.name === name);
    return pair ? (new URLSearchParams(pair.raw).values().next().value ?? "") : null;
  }

  set(name: string, value: string): void {
    const raw = new URLSearchParams([[name, value]]).toString();
    const first = this.pairs.findIndex((pair) => pair.name === name);
    if (first === -1) {
      this.pairs.push({ name, raw });
      return;
    }
    this.pairs[first] = { name, raw };
    for (let index = this.pairs.length - 1; index > first; index--) {
      if (this.pairs[index].name === name) this.pairs.splice(index, 1);
    }
  }

  delete(name: string): void {
    for (let index = this.pairs.length - 1; index >= 0; index--) {
      if (this.pairs[index].name === name) this.pairs.splice(index, 1);
    }
  }

  toString(): string {
    return this.pairs.map((pair) => pair.raw).join("&");
  }
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
