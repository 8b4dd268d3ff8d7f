import type { DomainFallbacks } from "../domains/model.js";
import type { Link } from "../links/model.js";
import { buildDestination } from "./destination.js";

/**
 * The `placeholder` Dub fills in when its caller sets none (the seed-era Go SDK sends it on every create and
 * update): nobody chose it, so a domain's root does not redirect there.
 */
export const DUB_DEFAULT_PLACEHOLDER = "https://dub.co/help/article/what-is-dub";

export type RedirectDecision =
  /** The link's destination: the visit is tracked. */
  | { kind: "follow"; link: Link }
  /** A fallback address of the link or its domain: not tracked. */
  | { kind: "fallback"; location: string }
  | { kind: "not_found" }
  | { kind: "expired" }
  /** This server's own home page. */
  | { kind: "home" }
  /** The answer depends on the domain's fallbacks, not looked up yet: decide again with them. */
  | { kind: "ask_domain" };

/**
 * What a visit to a key gets, from the link the host and key resolved to (null: none) and, only when the link
 * cannot answer by itself, the host's fallbacks (`undefined`: not looked up yet; null: the host has none).
 * Links that answer by themselves never wait for a domain lookup.
 */
export function decideVisit(
  link: Link | null,
  now: number,
  domain: DomainFallbacks | null | undefined,
): RedirectDecision {
  if (link === null || link.disabledAt !== null) return fallBack(domain, "notFoundUrl", "not_found");
  if (link.expiresAt !== null && link.expiresAt <= now) {
    const own = asLocation(link.expiredUrl);
    return own ? { kind: "fallback", location: own } : fallBack(domain, "expiredUrl", "expired");
  }
  return { kind: "follow", link };
}

/** What a visit to a host's root (`/`) gets: its domain's placeholder, or the home page. */
export function decideRoot(
  domain: DomainFallbacks | null,
): Extract<RedirectDecision, { kind: "fallback" | "home" }> {
  const placeholder = domain?.placeholder === DUB_DEFAULT_PLACEHOLDER ? null : domain?.placeholder;
  const location = asLocation(placeholder ?? null);
  return location ? { kind: "fallback", location } : { kind: "home" };
}

function fallBack(
  domain: DomainFallbacks | null | undefined,
  field: "notFoundUrl" | "expiredUrl",
  page: "not_found" | "expired",
): RedirectDecision {
  if (domain === undefined) return { kind: "ask_domain" };
  const location = asLocation(domain?.[field] ?? null);
  return location ? { kind: "fallback", location } : { kind: page };
}

/** A stored URL as a `Location` value: parsed and serialised, so CR/LF, NUL and non-ASCII never reach a header. */
function asLocation(url: string | null): string | null {
  if (!url) return null;
  try {
    return buildDestination(url);
  } catch {
    return null;
  }
}
