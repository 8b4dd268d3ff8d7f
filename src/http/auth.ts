import type { FastifyReply, FastifyRequest } from "fastify";
import type { AccountService } from "../domain/accounts/account-service.js";
import type { Principal } from "../domain/workspaces/model.js";
import type { RateLimiter } from "../domain/workspaces/ports.js";
import { grants, type Scope } from "../domain/workspaces/scopes.js";
import type { WorkspaceService } from "../domain/workspaces/workspace-service.js";
import { sendError } from "./errors.js";
import { PUBLISHABLE_PREFIX } from "./publishable-auth.js";
import { assertCsrf, cookieSession, usesSessionCookie, workspaceRef } from "./session-auth.js";

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** The scope a key needs for this route; routes without one are public. */
    scope?: Scope;
  }
}

/**
 * Dub's order of checks: header shape (400), presence (401), key (401), rate limit (429), scope (403).
 * Rate-limit headers go on every authenticated response, errors included.
 */
export function authenticate(workspaces: WorkspaceService, limiter: RateLimiter, accounts: AccountService) {
  return async function authenticateRequest(request: FastifyRequest, reply: FastifyReply) {
    const scope = request.routeOptions.config.scope;
    if (!scope) return;
    if (usesSessionCookie(request)) return authenticateSession(request, reply, scope, limiter, accounts);
    const header = request.headers.authorization;
    if (header === undefined || header === "")
      return sendError(reply, "unauthorized", "Missing Authorization header.");
    if (!header.startsWith("Bearer ")) {
      return sendError(
        reply,
        "bad_request",
        "Misconfigured authorization header. Did you forget to add 'Bearer '? Send 'Authorization: Bearer <api key>'.",
      );
    }
    const token = header.slice("Bearer ".length).trim();
    if (token.startsWith(PUBLISHABLE_PREFIX)) {
      return sendError(
        reply,
        "unauthorized",
        "Unauthorized: a publishable key (dub_pk_…) may only track clicks, leads and sales from a web page. Use a secret API key here.",
      );
    }
    const principal = await workspaces.authenticate(token);
    if (!principal) return sendError(reply, "unauthorized", "Unauthorized: Invalid API key.");

    if (!(await withinRateLimit(limiter, principal.keyId, reply))) return;
    if (!grants(principal.scopes, scope)) {
      return sendError(
        reply,
        "forbidden",
        `The provided key does not have the required permissions for this endpoint on the workspace '${principal.workspaceId}'. Having the '${scope}' permission would allow this request to continue.`,
      );
    }
    request.principal = principal;
  };
}

/** Rate-limit headers on the answer; false (and the 429 sent) when the subject is over its limit. */
async function withinRateLimit(limiter: RateLimiter, subject: string, reply: FastifyReply): Promise<boolean> {
  const rate = await limiter.consume(subject);
  reply.header("X-RateLimit-Limit", rate.limit);
  reply.header("X-RateLimit-Remaining", rate.remaining);
  reply.header("X-RateLimit-Reset", Math.ceil(rate.resetAt / 1000));
  if (rate.allowed) return true;
  reply.header("Retry-After", Math.max(1, Math.ceil((rate.resetAt - Date.now()) / 1000)));
  sendError(reply, "rate_limit_exceeded", "Too many requests.");
  return false;
}

/**
 * The dashboard's way in (no Authorization header, a `ct_session` cookie): session (401), CSRF on writes (403),
 * workspace membership (400/403), rate limit per user (429), the role's scopes (403).
 */
async function authenticateSession(
  request: FastifyRequest,
  reply: FastifyReply,
  scope: Scope,
  limiter: RateLimiter,
  accounts: AccountService,
) {
  const live = await cookieSession(request, reply, accounts);
  if (!live) return sendError(reply, "unauthorized", "Unauthorized: the session has ended; sign in again.");
  assertCsrf(request, live);
  const principal = await accounts.principal(live.user, live.session, workspaceRef(request));
  if (!(await withinRateLimit(limiter, `user:${live.user.id}`, reply))) return;
  if (!grants(principal.scopes, scope)) {
    return sendError(
      reply,
      "forbidden",
      `As a ${principal.role} of the workspace '${principal.workspaceId}' you may not do this: it needs the '${scope}' permission, which only owners have.`,
    );
  }
  request.principal = principal;
}
