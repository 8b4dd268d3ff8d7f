/**
 * Which web pages may track for a workspace from the browser. The page is named by `Referer`, else `Origin` (Dub
 * reads them in that order: a plain link sends only a Referer); a leading `www.` is ignored on both sides.
 */
export function pageHostname(referer: string | undefined, origin: string | undefined): string | null {
  for (const source of [referer, origin]) {
    if (!source) continue;
    try {
      const host = new URL(source).host.toLowerCase();
      if (host) return host;
    } catch {
      // not a URL: try the next header
    }
  }
  return null;
}

/** "example.com" allows exactly that host; "*.example.com" allows its subdomains and the apex. */
export function isAllowedHostname(hostname: string, allowed: string[]): boolean {
  const host = withoutWww(hostname.toLowerCase());
  const bare = host.replace(/:\d+$/, "");
  return allowed.some((entry) => {
    const pattern = withoutWww(entry);
    if (!pattern.startsWith("*.")) return pattern === host || pattern === bare;
    const apex = pattern.slice(2);
    return bare === apex || bare.endsWith(`.${apex}`);
  });
}

const withoutWww = (host: string) => host.replace(/^www\./, "");
