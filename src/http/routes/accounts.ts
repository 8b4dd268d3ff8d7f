import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { Throttled } from "../../domain/accounts/account-errors.js";
import type { AccountService, SignedIn } from "../../domain/accounts/account-service.js";
import type { MembershipService } from "../../domain/accounts/membership-service.js";
import { DomainError } from "../../domain/errors.js";
import { iso } from "../../wire/iso.js";
import { sendError } from "../errors.js";
import { clientAddress } from "../request-context.js";
import {
  acceptBody,
  inviteInfoSchema,
  loginBody,
  meSchema,
  NO_CREDENTIALS,
  okSchema,
  SESSION_ONLY,
  setupBody,
  setupInfoSchema,
  tokenParams,
  tokenQuery,
} from "../schemas/accounts.js";
import {
  assertCsrf,
  assertNotCrossSite,
  clearSessionCookie,
  cookieSession,
  setSessionCookie,
} from "../session-auth.js";

export type AccountRoutesOptions = { accounts: AccountService; memberships: MembershipService };

/** What only a person does: set up, sign in and out, look at and accept invites. Not part of Dub's API. */
export const accountRoutes: FastifyPluginAsyncZod<AccountRoutesOptions> = async (
  app,
  { accounts, memberships },
) => {
  const tags = ["Accounts"];
  const open = { tags, security: NO_CREDENTIALS };
  const signed = { tags, security: SESSION_ONLY };

  const signedIn = (request: FastifyRequest, reply: FastifyReply, session: SignedIn) => {
    setSessionCookie(request, reply, session.token, session.expiresAt);
    reply.header("cache-control", "no-store");
    return session.me;
  };

  /** The session of the cookie, checked for CSRF when the request writes; 401 without one. */
  const requireSession = async (request: FastifyRequest, reply: FastifyReply) => {
    const live = await cookieSession(request, reply, accounts);
    if (!live) throw new DomainError("unauthorized", "Not signed in.");
    assertCsrf(request, live);
    return live;
  };

  app.get(
    "/auth/setup",
    {
      schema: {
        ...open,
        operationId: "getSetup",
        querystring: tokenQuery,
        response: { 200: setupInfoSchema },
      },
    },
    async (request) => accounts.setupInfo(request.query.token),
  );

  app.post(
    "/auth/setup",
    { schema: { ...open, operationId: "setup", body: setupBody, response: { 200: meSchema } } },
    async (request, reply) => {
      assertNotCrossSite(request);
      const { token, ...account } = request.body;
      return signedIn(request, reply, await accounts.setup(token, account));
    },
  );

  app.post(
    "/auth/login",
    { schema: { ...open, operationId: "login", body: loginBody, response: { 200: meSchema } } },
    async (request, reply) => {
      assertNotCrossSite(request);
      try {
        const { email, password } = request.body;
        return signedIn(request, reply, await accounts.login(email, password, clientAddress(request.ip)));
      } catch (error) {
        if (!(error instanceof Throttled)) throw error;
        reply.header("retry-after", error.retryAfterSeconds);
        return sendError(reply, error.code, error.message);
      }
    },
  );

  app.post(
    "/auth/logout",
    { schema: { ...signed, operationId: "logout", response: { 200: okSchema } } },
    async (request, reply) => {
      const live = await requireSession(request, reply);
      await accounts.logout(live.session);
      clearSessionCookie(request, reply);
      return { ok: true };
    },
  );

  app.post(
    "/auth/logout-everywhere",
    { schema: { ...signed, operationId: "logoutEverywhere", response: { 200: okSchema } } },
    async (request, reply) => {
      const live = await requireSession(request, reply);
      const sessions = await accounts.logoutEverywhere(live.user);
      clearSessionCookie(request, reply);
      return { ok: true, sessions };
    },
  );

  app.get(
    "/auth/me",
    { schema: { ...signed, operationId: "getMe", response: { 200: meSchema } } },
    async (request, reply) => {
      const live = await requireSession(request, reply);
      reply.header("cache-control", "no-store");
      return accounts.me(live.user, live.session);
    },
  );

  app.get(
    "/invites/:token",
    {
      schema: { ...open, operationId: "getInvite", params: tokenParams, response: { 200: inviteInfoSchema } },
    },
    async (request) => {
      const invite = await memberships.inviteInfo(request.params.token);
      return { ...invite, expiresAt: iso(invite.expiresAt) };
    },
  );

  app.post(
    "/invites/:token/accept",
    {
      schema: {
        ...open,
        operationId: "acceptInvite",
        params: tokenParams,
        body: acceptBody.optional(),
        response: { 200: meSchema },
      },
    },
    async (request, reply) => {
      const live = await cookieSession(request, reply, accounts);
      if (live) assertCsrf(request, live);
      else assertNotCrossSite(request);
      const accepted = await memberships.accept(request.params.token, live?.user ?? null, request.body ?? {});
      if ("joined" in accepted) return accounts.me(accepted.joined, (live ?? never()).session);
      return signedIn(request, reply, accepted);
    },
  );
};

function never(): never {
  throw new Error("a signed-in acceptance without a session");
}
