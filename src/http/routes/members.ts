import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { MembershipService } from "../../domain/accounts/membership-service.js";
import type { Invite, Member } from "../../domain/accounts/model.js";
import { iso } from "../../wire/iso.js";
import {
  createdInviteSchema,
  inviteBody,
  inviteParams,
  inviteSchema,
  KEY_OR_SESSION,
  memberParams,
  memberSchema,
  removedMemberSchema,
  revokedInviteSchema,
  roleBody,
  workspaceRefParams,
} from "../schemas/accounts.js";

export type MemberRoutesOptions = { memberships: MembershipService };

const presentMember = (member: Member) => ({ ...member, createdAt: iso(member.createdAt) });

const presentInvite = (invite: Invite) => ({
  id: invite.id,
  email: invite.email,
  role: invite.role,
  createdAt: iso(invite.createdAt),
  expiresAt: iso(invite.expiresAt),
});

/**
 * A workspace's members and invites. Reading needs `workspaces.read`; every change needs an owner's session
 * (checked by the service), so no API key manages members.
 */
export const memberRoutes: FastifyPluginAsyncZod<MemberRoutesOptions> = async (app, { memberships }) => {
  const doc = { tags: ["Members"], security: KEY_OR_SESSION };
  const read = { scope: "workspaces.read" } as const;

  app.get(
    "/workspaces/:idOrSlug/members",
    {
      config: read,
      schema: {
        ...doc,
        operationId: "listMembers",
        params: workspaceRefParams,
        response: { 200: z.array(memberSchema) },
      },
    },
    async (request) =>
      (await memberships.members(request.principal, request.params.idOrSlug)).map(presentMember),
  );

  app.patch(
    "/workspaces/:idOrSlug/members/:userId",
    {
      config: read,
      schema: {
        ...doc,
        operationId: "updateMember",
        params: memberParams,
        body: roleBody,
        response: { 200: memberSchema },
      },
    },
    async (request) =>
      presentMember(
        await memberships.changeRole(
          request.principal,
          request.params.idOrSlug,
          request.params.userId,
          request.body.role,
        ),
      ),
  );

  app.delete(
    "/workspaces/:idOrSlug/members/:userId",
    {
      config: read,
      schema: {
        ...doc,
        operationId: "removeMember",
        params: memberParams,
        response: { 200: removedMemberSchema },
      },
    },
    async (request) => {
      await memberships.remove(request.principal, request.params.idOrSlug, request.params.userId);
      return { userId: request.params.userId, removed: true };
    },
  );

  app.post(
    "/workspaces/:idOrSlug/invites",
    {
      config: read,
      schema: {
        ...doc,
        operationId: "createInvite",
        params: workspaceRefParams,
        body: inviteBody,
        response: { 200: createdInviteSchema },
      },
    },
    async (request) => {
      const { invite, token } = await memberships.invite(
        request.principal,
        request.params.idOrSlug,
        request.body.email,
        request.body.role,
      );
      const origin = `${request.protocol}://${request.host}`;
      return { ...presentInvite(invite), url: `${origin}/app/invite?token=${token}` };
    },
  );

  app.get(
    "/workspaces/:idOrSlug/invites",
    {
      config: read,
      schema: {
        ...doc,
        operationId: "listInvites",
        params: workspaceRefParams,
        response: { 200: z.array(inviteSchema) },
      },
    },
    async (request) =>
      (await memberships.invites(request.principal, request.params.idOrSlug)).map(presentInvite),
  );

  app.delete(
    "/workspaces/:idOrSlug/invites/:inviteId",
    {
      config: read,
      schema: {
        ...doc,
        operationId: "revokeInvite",
        params: inviteParams,
        response: { 200: revokedInviteSchema },
      },
    },
    async (request) => {
      await memberships.revokeInvite(request.principal, request.params.idOrSlug, request.params.inviteId);
      return { id: request.params.inviteId, revoked: true };
    },
  );
};
