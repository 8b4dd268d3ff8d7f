/**
 * What fetching a page came to. `page`: an answer (the last one, after redirects), with as much of its body as
 * arrived within the size and time limits. `unreachable`: no answer to read (no such host, connection refused,
 * nothing within the time limit, too many redirects). `refused`: the outbound address policy does not allow the
 * URL or a redirect's target, so nothing was sent there.
 */
export type FetchedPage =
  | { kind: "page"; url: string; status: number; contentType: string | null; body: Uint8Array }
  | { kind: "unreachable"; reason: string }
  | { kind: "refused"; reason: string };

/** GETs an http(s) URL, only ever from addresses the outbound policy allows, within a size and a time limit. */
export type PageFetcher = (url: URL) => Promise<FetchedPage>;
