import type { Clock } from "../clock.js";
import { conflict, forbidden, notFound } from "../errors.js";
import { prefixedId } from "../ids.js";
import type { Principal } from "../workspaces/model.js";
import type { WorkspaceStore } from "../workspaces/ports.js";
import { linkExpired } from "./account-errors.js";
import { type AccountService, emailTaken, type SignedIn } from "./account-service.js";
import { checkEmail } from "./credentials.js";
import { emailKey, type Invite, type Member, type Role, type User } from "./model.js";
import type { AccountStore } from "./ports.js";
import { LINK_LIFETIME_MS } from "./session-policy.js";
import { hashToken, newToken } from "./tokens.js";

export type CreatedInvite = { invite: Invite; token: string };

export type InviteView = {
  workspace: { id: string; name: string };
  email: string;
  role: Role;
  expiresAt: number;
};

const WORKSPACE_NOT_FOUND = "Workspace not found.";
const OWNERS_ONLY = "Only an owner of the workspace can manage its members and invites.";

/** Who belongs to a workspace, and the invites that bring people in. */
export class MembershipService {
  constructor(
    private readonly store: AccountStore,
    private readonly workspaces: WorkspaceStore,
    private readonly accounts: AccountService,
    private readonly clock: Clock,
  ) {}

  async members(principal: Principal, idOrSlug: string): Promise<Member[]> {
    return this.store.listMembers(await this.workspaceOf(principal, idOrSlug, "any"));
  }

  async changeRole(principal: Principal, idOrSlug: string, userId: string, role: Role): Promise<Member> {
    const workspaceId = await this.workspaceOf(principal, idOrSlug, "owner");
    await this.change(workspaceId, userId, role);
    const member = (await this.store.listMembers(workspaceId)).find((m) => m.userId === userId);
    if (!member) throw notFound(`No member ${userId} in this workspace.`);
    return member;
  }

  async remove(principal: Principal, idOrSlug: string, userId: string): Promise<void> {
    await this.change(await this.workspaceOf(principal, idOrSlug, "owner"), userId, null);
  }

  async invite(principal: Principal, idOrSlug: string, email: string, role: Role): Promise<CreatedInvite> {
    const workspaceId = await this.workspaceOf(principal, idOrSlug, "owner");
    const token = newToken();
    const now = this.clock.now();
    const invite: Invite = {
      id: prefixedId("inv"),
      workspaceId,
      tokenHash: hashToken(token),
      email: checkEmail(email),
      role,
      invitedBy: principal.userId,
      createdAt: now,
      expiresAt: now + LINK_LIFETIME_MS,
      acceptedAt: null,
      revokedAt: null,
    };
    await this.store.createInvite(invite);
    return { invite, token };
  }

  async invites(principal: Principal, idOrSlug: string): Promise<Invite[]> {
    return this.store.listInvites(await this.workspaceOf(principal, idOrSlug, "owner"), this.clock.now());
  }

  async revokeInvite(principal: Principal, idOrSlug: string, inviteId: string): Promise<void> {
    const workspaceId = await this.workspaceOf(principal, idOrSlug, "owner");
    if (!(await this.store.revokeInvite(workspaceId, inviteId, this.clock.now())))
      throw notFound(`No pending invite ${inviteId} in this workspace.`);
  }

  async inviteInfo(token: string): Promise<InviteView> {
    const invite = await this.pending(token);
    const workspace = await this.workspaces.getWorkspace(invite.workspaceId);
    if (!workspace) throw linkExpired("invite");
    return {
      workspace: { id: workspace.id, name: workspace.name },
      email: invite.email,
      role: invite.role,
      expiresAt: invite.expiresAt,
    };
  }

  /**
   * Signed in (`user`): joins as that user, whatever email the invite names (the link is the credential, as in
   * Dub). Otherwise a new account for the invite's email; an existing account must sign in first (409).
   */
  async accept(
    token: string,
    user: User | null,
    account: { name?: string | null; password?: string },
  ): Promise<SignedIn | { joined: User }> {
    const invite = await this.pending(token);
    const now = this.clock.now();
    let newUser: User | undefined;
    if (!user) {
      if (await this.store.findUserByEmail(emailKey(invite.email)))
        throw conflict(
          "An account with this email already exists: sign in first, then open the invite again.",
        );
      newUser = await this.accounts.newUser({
        ...account,
        email: invite.email,
        password: account.password ?? "",
      });
    }
    const joining = user ?? (newUser as User);
    let accepted: boolean;
    try {
      accepted = await this.store.acceptInvite(
        invite.id,
        now,
        { workspaceId: invite.workspaceId, userId: joining.id, role: invite.role, createdAt: now },
        newUser,
      );
    } catch (error) {
      throw emailTaken(error);
    }
    if (!accepted) throw linkExpired("invite");
    return user ? { joined: user } : this.accounts.startSession(joining);
  }

  private async pending(token: string): Promise<Invite> {
    const invite = await this.store.findInvite(hashToken(token));
    if (
      !invite ||
      invite.acceptedAt !== null ||
      invite.revokedAt !== null ||
      invite.expiresAt <= this.clock.now()
    )
      throw linkExpired("invite");
    return invite;
  }

  private async change(workspaceId: string, userId: string, role: Role | null): Promise<void> {
    const result = await this.store.changeMember(workspaceId, userId, role);
    if (result === "no_member") throw notFound(`No member ${userId} in this workspace.`);
    if (result === "last_owner")
      throw conflict("A workspace needs an owner: make another member owner first.");
  }

  /**
   * The workspace named by the path, which must be the one the caller acts on. With a session the caller's role
   * is checked here; an API key counts as an owner only for reading (`any`), since a key is no person.
   */
  private async workspaceOf(principal: Principal, idOrSlug: string, needs: "any" | "owner"): Promise<string> {
    const workspace = await this.workspaces.getWorkspace(principal.workspaceId);
    if (!workspace || (idOrSlug !== workspace.id && idOrSlug.toLowerCase() !== workspace.slug))
      throw notFound(WORKSPACE_NOT_FOUND);
    if (needs === "owner" && principal.role !== "owner") throw forbidden(OWNERS_ONLY);
    return workspace.id;
  }
}
