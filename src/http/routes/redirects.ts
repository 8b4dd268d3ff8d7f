import type { FastifyInstance, FastifyRequest } from "fastify";
import type { RedirectService } from "../../domain/clicks/redirect-service.js";
import { isReservedKey } from "../../domain/links/rules.js";
import { EXPIRED_PAGE, HOME_PAGE, NOT_FOUND_PAGE } from "../pages.js";

export type RedirectRoutesOptions = { redirects: RedirectService; trustProxy: boolean };

const PREFETCH_HEADERS = ["sec-purpose", "purpose", "x-purpose", "x-moz"];

const COUNTRY_HEADERS = ["cf-ipcountry", "x-vercel-ip-country", "x-country-code"];

export async function redirectRoutes(app: FastifyInstance, { redirects, trustProxy }: RedirectRoutesOptions) {
  app.get("/", { schema: { hide: true } }, async (_request, reply) => reply.type("text/html; charset=utf-8").send(HOME_PAGE));

  app.get<{ Params: { key: string } }>("/:key", { schema: { hide: true } }, async (request, reply) => {
    const key = request.params.key;
    if (isReservedKey(key)) return reply.callNotFound();
    const outcome = await redirects.visit({
      host: request.host,
      key,
      method: request.method,
      userAgent: request.headers["user-agent"] ?? "",
      noTrackHeader: request.headers["dub-no-track"] !== undefined,
      prefetch: isPrefetch(request),
      query: flatten(request.query),
      ip: clientAddress(request.ip),
      referer: request.headers.referer,
      countryHint: trustProxy ? countryHeader(request) : undefined,
    });
    if (outcome.kind === "redirect") {
      return reply
        .code(302)
        .header("location", outcome.location)
        .header("cache-control", "no-store")
        .header("x-robots-tag", "noindex")
        .send();
    }
    return reply
      .code(outcome.kind === "expired" ? 410 : 404)
      .type("text/html; charset=utf-8")
      .send(outcome.kind === "expired" ? EXPIRED_PAGE : NOT_FOUND_PAGE);
  });
}

function flatten(query: unknown): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries((query ?? {}) as Record<string, string | string[]>)) {
    flat[name] = Array.isArray(value) ? (value.at(-1) ?? "") : value;
  }
  return flat;
}

function countryHeader(request: FastifyRequest): string | undefined {
  for (const name of COUNTRY_HEADERS) {
    const value = request.headers[name];
    if (typeof value === "string" && /^[A-Za-z]{2}$/.test(value)) return value;
  }
  return undefined;
}

/** Speculative loads announce themselves: `Sec-Purpose: prefetch[;prerender]`, `Purpose: prefetch`, `X-Moz: prefetch`, … */
function isPrefetch(request: FastifyRequest): boolean {
  return PREFETCH_HEADERS.some((name) => {
    const value = request.headers[name];
    return typeof value === "string" && /\b(prefetch|prerender|preview)\b/i.test(value);
  });
}

/**
 * The visitor's address without a port: some proxies put `203.0.113.7:5421` or `[2001:db8::7]:443` in
 * X-Forwarded-For, which would otherwise be stored (and anonymised) as if it were an address.
 */
function clientAddress(ip: string): string {
  const bracketed = ip.match(/^\[([^\]]+)\](?::\d+)?$/);
  if (bracketed) return bracketed[1];
  const v4WithPort = ip.match(/^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/);
  return v4WithPort ? v4WithPort[1] : ip;
}
