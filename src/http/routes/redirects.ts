import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type {
  RedirectOutcome,
  RedirectService,
  Remember,
  Unlock,
  Visit,
} from "../../domain/clicks/redirect-service.js";
import { keyOfPath } from "../../domain/links/rules.js";
import { type DatabaseAvailability, RETRY_AFTER_SECONDS } from "../../infra/database-availability.js";
import {
  EXPIRED_PAGE,
  framePage,
  HOME_PAGE,
  NOT_FOUND_PAGE,
  passwordPage,
  previewPage,
  TOO_MANY_TRIES_PAGE,
  UNAVAILABLE_PAGE,
} from "../pages.js";
import { clientAddress, countryHeader } from "../request-context.js";

export type RedirectRoutesOptions = {
  redirects: RedirectService;
  trustProxy: boolean;
  database: Pick<DatabaseAvailability, "failedWith">;
  /** On the API's own host a nested path is an API path: one no API route knows is the API's 404, not a link. */
  apiHost?: string;
};

const PREFETCH_HEADERS = ["sec-purpose", "purpose", "x-purpose", "x-moz"];

export async function redirectRoutes(app: FastifyInstance, options: RedirectRoutesOptions) {
  const { redirects, trustProxy } = options;
  const visits = { schema: { hide: true }, errorHandler: unavailablePage(options.database) };
  app.get("/", visits, async (request, reply) => {
    // A person signed in to the dashboard who opens the API's host lands in the dashboard (it checks the session).
    if (request.hostname === options.apiHost && cookie(request, "ct_session"))
      return reply.redirect("/app", 302);
    return answer(reply, await redirects.root(request.host));
  });

  const visitOf = (request: FastifyRequest, key: string): Visit => ({
    host: request.host,
    key,
    protocol: request.protocol === "https" ? "https" : "http",
    method: request.method,
    userAgent: request.headers["user-agent"] ?? "",
    noTrackHeader: request.headers["dub-no-track"] !== undefined,
    prefetch: isPrefetch(request),
    query: flatten(request.query),
    ip: clientAddress(request.ip),
    referer: request.headers.referer,
    countryHint: trustProxy ? countryHeader(request) : undefined,
    unlockToken: (linkId) => cookie(request, unlockCookie(linkId)),
    cookie: (name) => cookie(request, name),
  });

  const keyOf = (request: FastifyRequest<{ Params: { "*": string } }>) => {
    const key = keyOfPath(request.params["*"]);
    return key?.includes("/") && request.hostname === options.apiHost ? null : key;
  };

  // Keys may be nested (`docs/setup`); the server's own paths are more specific routes and win.
  app.get<{ Params: { "*": string } }>("/*", visits, async (request, reply) => {
    const key = keyOf(request);
    if (key === null) return reply.callNotFound();
    return answer(reply, await redirects.visit(visitOf(request, key)), request.protocol === "https");
  });

  // A password page's form: the password arrives form-encoded, the only body a short link reads.
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string" },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  app.post<{ Params: { "*": string }; Body: unknown }>(
    "/*",
    { ...visits, bodyLimit: 16_384 },
    async (request, reply) => {
      const key = keyOf(request);
      if (key === null) return reply.callNotFound();
      const password = (request.body as { password?: unknown } | undefined)?.password;
      const outcome = await redirects.unlock(
        visitOf(request, key),
        typeof password === "string" ? password : "",
      );
      return answer(reply, outcome, request.protocol === "https");
    },
  );
}

function answer(reply: FastifyReply, outcome: RedirectOutcome, secure = false) {
  if (outcome.kind === "not_found" || outcome.kind === "expired" || outcome.kind === "home") {
    const [status, page] = PAGES[outcome.kind];
    return reply.code(status).type("text/html; charset=utf-8").send(page);
  }
  reply.header("cache-control", "no-store");
  if (!("indexable" in outcome && outcome.indexable)) reply.header("x-robots-tag", "noindex");
  const cookies: string[] = [];
  if ("unlock" in outcome && outcome.unlock) cookies.push(unlockCookieHeader(outcome.unlock, secure));
  if ("remember" in outcome && outcome.remember) cookies.push(rememberCookieHeader(outcome.remember));
  if (cookies.length > 0) reply.header("set-cookie", cookies);
  if (outcome.kind === "redirect") return reply.code(302).header("location", outcome.location).send();
  reply.type("text/html; charset=utf-8");
  switch (outcome.kind) {
    case "frame":
      return reply.code(200).send(framePage(outcome.location, outcome.title, outcome.indexable));
    case "preview":
      return reply.code(200).send(previewPage(outcome.preview, outcome.indexable));
    case "password":
      return reply.code(outcome.wrong ? 403 : 200).send(passwordPage(outcome.wrong));
    case "throttled":
      return reply.code(429).header("retry-after", outcome.retryAfterSeconds).send(TOO_MANY_TRIES_PAGE);
  }
}

const unlockCookie = (linkId: string) => `ct_unlock_${linkId}`;

function unlockCookieHeader(unlock: Unlock, secure: boolean): string {
  return `${unlockCookie(unlock.linkId)}=${unlock.token}; Max-Age=${unlock.maxAgeSeconds}; Path=/; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}

/** Dub's attributes: readable by the destination's own scripts on the short domain, as Dub leaves it. */
function rememberCookieHeader(remember: Remember): string {
  return `${remember.name}=${remember.clickId}; Path=${remember.path}; Max-Age=${remember.maxAgeSeconds}; SameSite=Lax`;
}

/** One cookie's value, read only when the visit asks for it. */
function cookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const pair of header.split(";")) {
    const at = pair.indexOf("=");
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
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
