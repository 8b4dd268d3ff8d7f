import type { FastifyReply, FastifyRequest } from "fastify";
import type { Principal } from "../domain/workspaces/model.js";
import type { RateLimiter } from "../domain/workspaces/ports.js";
import { grants, type Scope } from "../domain/workspaces/scopes.js";
import type { WorkspaceService } from "../domain/workspaces/workspace-service.js";
import { sendError } from "./errors.js";
import { PUBLISHABLE_PREFIX } from "./publishable-auth.js";

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
export function authenticate(workspaces: WorkspaceService, limiter: RateLimiter) {
  return async function authenticateRequest(request: FastifyRequest, reply: FastifyReply) {
    const scope = request.routeOptions.config.scope;
    if (!scope) return;
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

    const rate = await limiter.consume(principal.keyId);
    reply.header("X-RateLimit-Limit", rate.limit);
    reply.header("X-RateLimit-Remaining", rate.remaining);
    reply.header("X-RateLimit-Reset", Math.ceil(rate.resetAt / 1000));
    if (!rate.allowed) {
      reply.header("Retry-After", Math.max(1, Math.ceil((rate.resetAt - Date.now()) / 1000)));
      return sendError(reply, "rate_limit_exceeded", "Too many requests.");
    }
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
