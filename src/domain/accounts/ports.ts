import type { RateLimiter, RateLimitResult } from "../workspaces/ports.js";
import type { Invite, Member, Membership, Role, Session, SetupToken, User, UserWorkspace } from "./model.js";

export interface UserStore {
  /** With its first membership, if any, in one transaction; throws `UniqueViolation("email")`. */
  createUser(user: User, membership?: Membership): Promise<void>;
  getUser(id: string): Promise<User | null>;
  /** By `emailKey(email)`. */
  findUserByEmail(emailKey: string): Promise<User | null>;
  listUsers(): Promise<User[]>;
  /** Changes the password and ends every session of the user, in one transaction; false when there is no such user. */
  setPassword(userId: string, passwordHash: string): Promise<boolean>;
}

export interface SessionStore {
  createSession(session: Session): Promise<void>;
  /** The live session with this token hash and its user; null when unknown or expired at `now`. */
  findSession(tokenHash: string, now: number): Promise<{ session: Session; user: User } | null>;
  extendSession(id: string, lastSeenAt: number, expiresAt: number): Promise<void>;
  deleteSession(id: string): Promise<void>;
  /** Returns how many ended. */
  deleteSessionsOf(userId: string): Promise<number>;
  /** Removes the sessions expired by `now`; returns how many. */
  deleteExpiredSessions(now: number): Promise<number>;
}

export type MemberChange = "changed" | "no_member" | "last_owner";

export interface MembershipStore {
  workspacesOf(userId: string): Promise<UserWorkspace[]>;
  roleIn(workspaceId: string, userId: string): Promise<Role | null>;
  listMembers(workspaceId: string): Promise<Member[]>;
  /** Adds the membership unless the user already has one there (then the role already held stays). */
  addMembership(membership: Membership): Promise<void>;
  /**
   * A new role, or with `null` no membership; refused (`last_owner`) when the workspace would be left without
   * an owner, checked in the same transaction as the change.
   */
  changeMember(workspaceId: string, userId: string, role: Role | null): Promise<MemberChange>;
}

export interface InviteStore {
  createInvite(invite: Invite): Promise<void>;
  findInvite(tokenHash: string): Promise<Invite | null>;
  /** Pending at `now`: neither accepted, revoked nor expired. */
  listInvites(workspaceId: string, now: number): Promise<Invite[]>;
  revokeInvite(workspaceId: string, id: string, at: number): Promise<boolean>;
  /**
   * Takes the invite (still pending at `at`) and, in the same transaction, creates `newUser` if given and adds
   * the membership. False when the invite was taken, revoked or expired meanwhile: nothing is written then.
   */
  acceptInvite(inviteId: string, at: number, membership: Membership, newUser?: User): Promise<boolean>;
}

export interface SetupTokenStore {
  createSetupToken(token: SetupToken): Promise<void>;
  findSetupToken(tokenHash: string): Promise<SetupToken | null>;
  /** Like acceptInvite: uses the token once, creating the user as the workspace's owner; false when it was taken. */
  redeemSetupToken(id: string, at: number, user: User, membership: Membership): Promise<boolean>;
}

export type AccountStore = UserStore & SessionStore & MembershipStore & InviteStore & SetupTokenStore;

/** Counts failures (sign-in attempts) per subject over a window; `peek` reads without counting. */
export interface FailureLimiter extends RateLimiter {
  peek(subject: string): Promise<RateLimitResult>;
}
