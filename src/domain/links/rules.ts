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
  "_root",
]);

/** The folders under which the server answers every path itself: no nested key may start with one. */
const RESERVED_FOLDERS = new Set(["api", "app", "track", "static", "assets", "_"]);
/** A random key's prefix may nest (`a/b`): the `/` it is joined by is one already. */
export const KEY_PREFIX_PATTERN = /^[^\s?#\\%]*$/u;

/** Dub's bounds on a key: a random one is `default` long unless asked otherwise, within `min`..`max`. */
export const KEY_LENGTH = { min: 3, max: 190, default: 7 } as const;

/** Dub's caps on a destination URL and on each `utm_*` value. */
export const URL_MAX_LENGTH = 32_000;
export const UTM_MAX_LENGTH = 255;

/** A key as it is stored and looked up: composed Unicode (NFC), so `é` typed decomposed finds the same link. */
export const canonicalKey = (key: string) => key.normalize("NFC");

/** A key is one or more path segments (`docs/setup`), as Dub allows. */
export const KEY_PATTERN = /^[^\s?#\\%]+$/u;

/**
 * No browser can reach a key with a `.` or `..` segment (it resolves them), and an empty segment (`a//b`, a
 * leading or trailing `/`) is a different path on every server that collapses slashes.
 */
export const hasUnreachableSegment = (key: string) =>
  key.split("/").some((segment) => segment === "" || segment === "." || segment === "..");
export const DOMAIN_PATTERN = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/;

export const isReservedKey = (key: string) => {
  const lower = key.toLowerCase();
  const slash = lower.indexOf("/");
  return RESERVED_KEYS.has(lower) || (slash !== -1 && RESERVED_FOLDERS.has(lower.slice(0, slash)));
};

/** The key a visit's path names, or null for a path no link can have (reserved, or unreachable segments). */
export function keyOfPath(path: string): string | null {
  return path === "" || hasUnreachableSegment(path) || isReservedKey(path) ? null : path;
}

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
