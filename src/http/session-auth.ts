import { timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AccountService, LiveSession } from "../domain/accounts/account-service.js";
import { forbidden } from "../domain/errors.js";

/** The dashboard's session cookie: its value is the session token, stored nowhere but as a hash. */
export const SESSION_COOKIE = "ct_session";

export const CSRF_HEADER = "x-csrf-token";

declare module "fastify" {
  interface FastifyRequest {
    /** The dashboard session the request came with, when it was authenticated by its cookie. */
    session?: LiveSession;
  }
}

/** One cookie's value from the Cookie header. */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const pair of header.split(";")) {
    const at = pair.indexOf("=");
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

/** `Secure` only when the request itself came over https (X-Forwarded-Proto counts only with TRUST_PROXY). */
const secureFlag = (request: FastifyRequest) => (request.protocol === "https" ? "; Secure" : "");

export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  expiresAt: number,
): void {
  const maxAge = Math.max(0, Math.floor((expiresAt - Date.now()) / 1000));
  reply.header(
    "set-cookie",
    `${SESSION_COOKIE}=${token}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secureFlag(request)}`,
  );
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.header(
    "set-cookie",
    `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secureFlag(request)}`,
  );
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export const isSafeMethod = (request: FastifyRequest) => SAFE_METHODS.has(request.method);

/** The request's own origin, as the browser names it in `Origin`. */
const ownOrigin = (request: FastifyRequest) => `${request.protocol}://${request.host}`.toLowerCase();

/** The `Origin` header, else the `Referer`'s origin; undefined when the browser sent neither. */
function claimedOrigin(request: FastifyRequest): string | undefined {
  const origin = request.headers.origin;
  if (origin !== undefined) return origin.toLowerCase();
  const referer = request.headers.referer;
  if (!referer) return undefined;
  try {
    return new URL(referer).origin.toLowerCase();
  } catch {
    return "invalid";
  }
}

/** A write that a page of another site (or no page) sent: refused whatever it carries. */
export function assertSameOrigin(request: FastifyRequest): void {
  const claimed = claimedOrigin(request);
  if (claimed === undefined)
    throw forbidden("Refused: a request signed in by cookie must send an Origin header (CSRF protection).");
  if (claimed !== ownOrigin(request))
    throw forbidden("Refused: the request comes from another site (CSRF protection).");
}

/** The sign-in forms: a foreign Origin is refused (login CSRF); a client that sends none (a script) is not. */
export function assertNotCrossSite(request: FastifyRequest): void {
  const claimed = claimedOrigin(request);
  if (claimed !== undefined && claimed !== ownOrigin(request))
    throw forbidden("Refused: the request comes from another site (CSRF protection).");
}

/** Origin check plus the session's token in X-CSRF-Token, on every cookie-authenticated write. */
export function assertCsrf(request: FastifyRequest, live: LiveSession): void {
  if (isSafeMethod(request)) return;
  assertSameOrigin(request);
  const given = request.headers[CSRF_HEADER];
  if (typeof given !== "string" || !sameText(given, live.session.csrfToken))
    throw forbidden(
      `Refused: missing or wrong ${CSRF_HEADER} header (CSRF protection); GET /api/auth/me gives it.`,
    );
}

function sameText(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The live session of the cookie, if any; the cookie is renewed when the session was extended. */
export async function cookieSession(
  request: FastifyRequest,
  reply: FastifyReply,
  accounts: AccountService,
): Promise<LiveSession | null> {
  if (request.session) return request.session;
  const token = readCookie(request, SESSION_COOKIE);
  if (!token) return null;
  const live = await accounts.session(token);
  if (!live) return null;
  if (live.extended) setSessionCookie(request, reply, token, live.session.expiresAt);
  request.session = live;
  return live;
}

/** A request with no Authorization header and a session cookie is the dashboard's. */
export const usesSessionCookie = (request: FastifyRequest) =>
  !request.headers.authorization && readCookie(request, SESSION_COOKIE) !== undefined;

/**
 * The workspace a cookie-authenticated /api request acts on: `workspaceId` in the query (id or slug), else the
 * workspace the path names (`/workspaces/{idOrSlug}/…`), else none (the user's only one).
 */
export function workspaceRef(request: FastifyRequest): string | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  const fromQuery = query?.workspaceId;
  if (typeof fromQuery === "string" && fromQuery !== "") return fromQuery;
  const params = request.params as Record<string, unknown> | undefined;
  const fromPath = params?.idOrSlug;
  return typeof fromPath === "string" && fromPath !== "" ? fromPath : undefined;
}
