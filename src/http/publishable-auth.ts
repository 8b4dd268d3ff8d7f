import type { FastifyReply, FastifyRequest } from "fastify";
import type { Principal } from "../domain/workspaces/model.js";
import type { RateLimiter } from "../domain/workspaces/ports.js";
import type { WorkspaceService } from "../domain/workspaces/workspace-service.js";
import { sendError } from "./errors.js";

export const PUBLISHABLE_PREFIX = "dub_pk_";

/** The publishable key in `Authorization: Bearer dub_pk_…`, undefined when the header names none. */
export function publishableKeyOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization ?? "";
  if (!header.startsWith("Bearer ")) return undefined;
  const key = header.slice("Bearer ".length).trim();
  return key.startsWith(PUBLISHABLE_PREFIX) ? key : undefined;
}

/**
 * Dub's checks on its client-side track endpoints: a key present (401), shaped `Bearer dub_pk_…` (400), known (401),
 * within the rate limit (429), and sent from a page of a site the workspace allows (403).
 */
export function authenticatePublishable(workspaces: WorkspaceService, limiter: RateLimiter) {
  return async function authenticatePublishableRequest(request: FastifyRequest, reply: FastifyReply) {
    if (!request.headers.authorization) return sendError(reply, "unauthorized", "Missing publishable key.");
    const key = publishableKeyOf(request);
    if (!key) return sendError(reply, "bad_request", "Invalid or missing publishable key.");
    const principal: Principal = await workspaces.authenticatePublishable(key);
    const rate = await limiter.consume(principal.keyId);
    reply.header("X-RateLimit-Limit", rate.limit);
    reply.header("X-RateLimit-Remaining", rate.remaining);
    reply.header("X-RateLimit-Reset", Math.ceil(rate.resetAt / 1000));
    if (!rate.allowed) {
      reply.header("Retry-After", Math.max(1, Math.ceil((rate.resetAt - Date.now()) / 1000)));
      return sendError(reply, "rate_limit_exceeded", "Too many requests.");
    }
    await workspaces.checkPage(principal.workspaceId, {
      referer: request.headers.referer,
      origin: request.headers.origin,
    });
    request.principal = principal;
  };
}
