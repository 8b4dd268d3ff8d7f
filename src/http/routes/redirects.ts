import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { RedirectOutcome, RedirectService } from "../../domain/clicks/redirect-service.js";
import { isReservedKey } from "../../domain/links/rules.js";
import { type DatabaseAvailability, RETRY_AFTER_SECONDS } from "../../infra/database-availability.js";
import { EXPIRED_PAGE, HOME_PAGE, NOT_FOUND_PAGE, UNAVAILABLE_PAGE } from "../pages.js";
import { clientAddress, countryHeader } from "../request-context.js";

export type RedirectRoutesOptions = {
  redirects: RedirectService;
  trustProxy: boolean;
  database: Pick<DatabaseAvailability, "failedWith">;
};

const PREFETCH_HEADERS = ["sec-purpose", "purpose", "x-purpose", "x-moz"];

export async function redirectRoutes(app: FastifyInstance, options: RedirectRoutesOptions) {
  const { redirects, trustProxy } = options;
  const visits = { schema: { hide: true }, errorHandler: unavailablePage(options.database) };
  app.get("/", visits, async (request, reply) => answer(reply, await redirects.root(request.host)));

  app.get<{ Params: { key: string } }>("/:key", visits, async (request, reply) => {
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
    return answer(reply, outcome);
  });
}

function answer(reply: FastifyReply, outcome: RedirectOutcome) {
  if (outcome.kind === "redirect") {
    return reply
      .code(302)
      .header("location", outcome.location)
      .header("cache-control", "no-store")
      .header("x-robots-tag", "noindex")
      .send();
  }
  const [status, page] = PAGES[outcome.kind];
  return reply.code(status).type("text/html; charset=utf-8").send(page);
}

const PAGES = {
  not_found: [404, NOT_FOUND_PAGE],
  expired: [410, EXPIRED_PAGE],
  home: [200, HOME_PAGE],
} as const;

/** A visitor gets a page, not JSON, when the link cannot be looked up; other errors go to the app's handler. */
function unavailablePage(database: Pick<DatabaseAvailability, "failedWith">) {
  return (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
    if (!database.failedWith(error)) throw error;
    return reply
      .code(503)
      .header("retry-after", RETRY_AFTER_SECONDS)
      .header("cache-control", "no-store")
      .type("text/html; charset=utf-8")
      .send(UNAVAILABLE_PAGE);
  };
}

function flatten(query: unknown): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries((query ?? {}) as Record<string, string | string[]>)) {
    flat[name] = Array.isArray(value) ? (value.at(-1) ?? "") : value;
  }
  return flat;
}

/** Speculative loads announce themselves: `Sec-Purpose: prefetch[;prerender]`, `Purpose: prefetch`, `X-Moz: prefetch`, … */
function isPrefetch(request: FastifyRequest): boolean {
  return PREFETCH_HEADERS.some((name) => {
    const value = request.headers[name];
    return typeof value === "string" && /\b(prefetch|prerender|preview)\b/i.test(value);
  });
}
