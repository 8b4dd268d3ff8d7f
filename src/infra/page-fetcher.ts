import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Readable } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import type { FetchedPage, PageFetcher } from "../domain/metatags/ports.js";
import { AddressRefused, type ResolvedTarget, resolvePublicTarget } from "./address-policy.js";

/** How much of a page is read: its `<head>` is nearly always within the first few hundred kilobytes. */
export const PAGE_MAX_BYTES = 1024 * 1024;
export const PAGE_MAX_REDIRECTS = 5;

const USER_AGENT = "Mozilla/5.0 (compatible; Clicktrail/1.0; link preview)";

export type PageFetchOptions = {
  /** For the whole fetch: every redirect, every address lookup and the body. */
  timeoutMs: number;
  /** Whether private and loopback addresses may be fetched (WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  maxBytes?: number;
  maxRedirects?: number;
  /** Where a URL may be fetched from; throws AddressRefused when nowhere. Default: the outbound address policy. */
  resolve?: (url: URL) => Promise<ResolvedTarget>;
};

/**
 * GETs pages under the outbound address policy of webhooks: every address, the first and each redirect's, is
 * resolved and vetted before anything is sent, and the connection goes to the vetted address (so DNS cannot answer
 * differently in between). Reads at most `maxBytes` of the body (decompressed) and stops at the time limit, keeping
 * what arrived.
 */
export function pageFetcher(options: PageFetchOptions): PageFetcher {
  const limits = {
    maxBytes: options.maxBytes ?? PAGE_MAX_BYTES,
    maxRedirects: options.maxRedirects ?? PAGE_MAX_REDIRECTS,
  };
  const resolve = options.resolve ?? ((url: URL) => resolvePublicTarget(url, options.allowPrivate));
  return async (start) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), options.timeoutMs);
    try {
      let url = start;
      for (let redirects = 0; ; redirects++) {
        let target: ResolvedTarget;
        try {
          target = await abortable(resolve(url), controller.signal);
        } catch (error) {
          if (error instanceof AddressRefused)
            return {
              kind: "refused",
              reason: `${error.message}; only public addresses may be fetched`,
            };
          return unreachable(`${url.hostname} cannot be resolved (${(error as Error).message})`);
        }
        const answer = await get(url, target, controller.signal, limits.maxBytes);
        if (answer.kind !== "redirect") return answer;
        if (redirects >= limits.maxRedirects)
          return unreachable(`more than ${limits.maxRedirects} redirects`);
        let next: URL;
        try {
          next = new URL(answer.location, url);
        } catch {
          return unreachable(`a redirect to ${answer.location}, which is no URL`);
        }
        if (next.protocol !== "http:" && next.protocol !== "https:")
          return unreachable(`a redirect to ${next.protocol} URL`);
        url = next;
      }
    } finally {
      clearTimeout(timer);
    }
  };
}

const unreachable = (reason: string): FetchedPage => ({ kind: "unreachable", reason });

type Answer = FetchedPage | { kind: "redirect"; location: string };

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error("no answer within the time limit"));
    const onAbort = () => reject(new Error("no answer within the time limit"));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** One GET on a fresh connection to the vetted address: a redirect's Location, or the answer and its first bytes. */
function get(url: URL, target: ResolvedTarget, signal: AbortSignal, maxBytes: number): Promise<Answer> {
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((finish) => {
    let settled = false;
    const settle = (answer: Answer) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      request.destroy();
      finish(answer);
    };
    let readBody: (() => void) | undefined;
    const onAbort = () => (readBody ? readBody() : settle(unreachable("no answer within the time limit")));
    const request = send(
      url,
      {
        method: "GET",
        headers: {
          "user-agent": USER_AGENT,
          accept: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
          "accept-encoding": "gzip, deflate, br",
        },
        // As the webhook sender does: connect to the vetted address, whatever DNS would say now.
        lookup: (_host, lookupOptions, callback) => {
          if (lookupOptions.all) callback(null, [{ address: target.address, family: target.family }]);
          else callback(null, target.address, target.family);
        },
        agent: false,
      },
      (response) => {
        const location = response.headers.location;
        if (REDIRECTS.has(response.statusCode ?? 0) && location)
          return settle({ kind: "redirect", location });
        const chunks: Buffer[] = [];
        let size = 0;
        const page = (): FetchedPage => ({
          kind: "page",
          url: url.href,
          status: response.statusCode ?? 0,
          contentType: response.headers["content-type"] ?? null,
          body: Buffer.concat(chunks).subarray(0, maxBytes),
        });
        readBody = () => settle(page());
        const body = decoded(response);
        body.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= maxBytes) readBody?.();
        });
        body.on("end", () => readBody?.());
        // A body cut short (a reset connection, a corrupt compression) still gives what arrived before.
        body.on("error", () => readBody?.());
      },
    );
    signal.addEventListener("abort", onAbort, { once: true });
    request.on("error", (error) => settle(unreachable(error.message)));
    request.end();
  });
}

function decoded(response: IncomingMessage): Readable {
  const encoding = String(response.headers["content-encoding"] ?? "")
    .trim()
    .toLowerCase();
  const decompress =
    encoding === "gzip" || encoding === "x-gzip"
      ? createGunzip()
      : encoding === "deflate"
        ? createInflate()
        : encoding === "br"
          ? createBrotliDecompress()
          : null;
  if (!decompress) return response;
  response.on("error", (error) => decompress.destroy(error));
  return response.pipe(decompress);
}
