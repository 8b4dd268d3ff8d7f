/** Paths the server answers itself; a short link key must not hide them. */
export const RESERVED_KEYS = new Set([
  "api",
  "app",
  "healthz",
  "readyz",
  "metrics",
  "script.js",
  "openapi.json",
  "favicon.ico",
  "robots.txt",
  "static",
  "assets",
  "track",
  "docs",
  "_",
]);

export const KEY_PATTERN = /^[^\s/?#\\%]+$/u;
/** A random key's prefix may nest (`a/b`): the `/` it is joined by is one already. */
export const KEY_PREFIX_PATTERN = /^[^\s?#\\%]*$/u;

/** Dub's bounds on a key: a random one is `default` long unless asked otherwise, within `min`..`max`. */
export const KEY_LENGTH = { min: 3, max: 190, default: 7 } as const;

/** Dub's caps on a destination URL and on each `utm_*` value. */
export const URL_MAX_LENGTH = 32_000;
export const UTM_MAX_LENGTH = 255;

/** A key as it is stored and looked up: composed Unicode (NFC), so `é` typed decomposed finds the same link. */
export const canonicalKey = (key: string) => key.normalize("NFC");

/** No browser can reach a key that is `.` or `..`: it resolves them as path segments. */
export const isDotSegment = (key: string) => key === "." || key === "..";
export const DOMAIN_PATTERN = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/;

export const isReservedKey = (key: string) => RESERVED_KEYS.has(key.toLowerCase());

/** Destinations are web pages: `javascript:`, `data:` and the like could run code on a visitor's click. */
export function isAllowedDestination(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (parsed.protocol === "http:" || parsed.protocol === "https:") && parsed.hostname.length > 0;
  } catch {
    return false;
  }
}

export const normaliseExternalId = (externalId: string) => externalId.replace(/^ext_/, "");

/** Dub sets no limit; a password page compares what is posted, so a bound keeps that cheap. */
export const PASSWORD_MAX_LENGTH = 128;
