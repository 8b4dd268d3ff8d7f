import type { Clock } from "../clock.js";
import { badRequest, conflict, forbidden, notFound, UniqueViolation } from "../errors.js";
import { prefixedId } from "../ids.js";
import type { Principal } from "../workspaces/model.js";
import type { WorkspaceStore } from "../workspaces/ports.js";
import { linkExpired, Throttled, wrongCredentials } from "./account-errors.js";
import { checkEmail, checkName, checkPassword } from "./credentials.js";
import {
  emailKey,
  type Me,
  type Membership,
  type Role,
  type Session,
  type User,
  type UserWorkspace,
} from "./model.js";
import { decoyHash, type PasswordHasher } from "./passwords.js";
import type { AccountStore, FailureLimiter } from "./ports.js";
import { scopesOf } from "./role-scopes.js";
import { LINK_LIFETIME_MS, SESSION_LIFETIME_MS, SESSION_REFRESH_MS } from "./session-policy.js";
import { hashToken, newToken } from "./tokens.js";

/** A new session: `token` goes into the cookie and nowhere else. */
export type SignedIn = { token: string; expiresAt: number; me: Me };

/** A session found by its token; `extended` when this use pushed its expiry on (the cookie follows). */
export type LiveSession = { session: Session; user: User; extended: boolean };

export type NewAccount = { email: string; password: string; name?: string | null };

/** Users, their passwords and sessions, and the first start's setup link. */
export class AccountService {
  constructor(
    private readonly store: AccountStore,
    private readonly workspaces: WorkspaceStore,
    private readonly passwords: PasswordHasher,
    private readonly clock: Clock,
    /** Sign-in failures per `email:…` and `address:…`; absent in the CLI, which signs nobody in. */
    private readonly failures?: FailureLimiter,
  ) {}

  /** A one-time link that makes the first owner of `workspaceId`; returns its token. */
  async createSetupToken(workspaceId: string): Promise<string> {
    const token = newToken();
    const now = this.clock.now();
    await this.store.createSetupToken({
      id: prefixedId("setup"),
      workspaceId,
      tokenHash: hashToken(token),
      createdAt: now,
      expiresAt: now + LINK_LIFETIME_MS,
      usedAt: null,
    });
    return token;
  }

  async setupInfo(token: string): Promise<{ workspace: { id: string; name: string } }> {
    const setup = await this.store.findSetupToken(hashToken(token));
    if (!setup || setup.usedAt !== null || setup.expiresAt <= this.clock.now())
      throw linkExpired("setup link");
    const workspace = await this.workspaces.getWorkspace(setup.workspaceId);
    if (!workspace) throw linkExpired("setup link");
    return { workspace: { id: workspace.id, name: workspace.name } };
  }

  /** Uses the setup link once: the new user owns the link's workspace and is signed in. */
  async setup(token: string, account: NewAccount): Promise<SignedIn> {
    const setup = await this.store.findSetupToken(hashToken(token));
    const now = this.clock.now();
    if (!setup || setup.usedAt !== null || setup.expiresAt <= now) throw linkExpired("setup link");
    const user = await this.newUser(account);
    const membership: Membership = {
      workspaceId: setup.workspaceId,
      userId: user.id,
      role: "owner",
      createdAt: now,
    };
    let used: boolean;
    try {
      used = await this.store.redeemSetupToken(setup.id, now, user, membership);
    } catch (error) {
      throw emailTaken(error);
    }
    if (!used) throw linkExpired("setup link");
    return this.startSession(user);
  }

  /** For operators (`clicktrail users create`): a user, member of `workspaceId` with `role` when given. */
  async createUser(account: NewAccount, membership?: { workspaceId: string; role: Role }): Promise<User> {
    const user = await this.newUser(account);
    if (membership && !(await this.workspaces.getWorkspace(membership.workspaceId)))
      throw notFound(`Workspace ${membership.workspaceId} not found.`);
    try {
      await this.store.createUser(
        user,
        membership && { ...membership, userId: user.id, createdAt: user.createdAt },
      );
    } catch (error) {
      throw emailTaken(error);
    }
    return user;
  }

  /** Every user with their workspaces, without password hashes. */
  async listUsersWithWorkspaces(): Promise<
    (Me["user"] & { createdAt: number; workspaces: UserWorkspace[] })[]
  > {
    const users = await this.store.listUsers();
    return Promise.all(
      users.map(async (user) => ({
        id: user.id,
        email: user.email,
        name: user.name,
        createdAt: user.createdAt,
        workspaces: await this.store.workspacesOf(user.id),
      })),
    );
  }

  /** The member of the workspace with this email (or user id), for a key that acts as them. */
  async memberOf(workspaceId: string, emailOrId: string): Promise<User> {
    const user =
      (await this.store.findUserByEmail(emailKey(emailOrId))) ?? (await this.store.getUser(emailOrId.trim()));
    if (!user) throw notFound(`No user with the email or id ${emailOrId.trim()}.`);
    if (!(await this.store.roleIn(workspaceId, user.id)))
      throw badRequest(`${user.email} is not a member of workspace ${workspaceId}.`);
    return user;
  }

  /** A new password; every session of the user ends. */
  async resetPassword(email: string, password: string): Promise<User> {
    checkPassword(password);
    const user = await this.store.findUserByEmail(emailKey(email));
    if (!user) throw notFound(`No user with the email ${email.trim()}.`);
    if (!(await this.store.setPassword(user.id, await this.passwords.hash(password))))
      throw notFound(`No user with the email ${email.trim()}.`);
    return user;
  }

  /**
   * Signs in, unless the email or the address has failed `LOGIN_FAILURES` times in the window: then 429 before
   * the password is even checked, so a throttled guesser learns nothing.
   */
  async login(email: string, password: string, address: string): Promise<SignedIn> {
    const subjects = [`email:${emailKey(email)}`, `address:${address}`];
    if (this.failures) {
      const states = await Promise.all(subjects.map((subject) => this.failures?.peek(subject)));
      const blocked = states.filter((state) => state && state.remaining <= 0);
      if (blocked.length > 0) {
        const resetAt = Math.max(...blocked.map((state) => state?.resetAt ?? 0));
        throw new Throttled(Math.max(1, Math.ceil((resetAt - Date.now()) / 1000)));
      }
    }
    const user = await this.store.findUserByEmail(emailKey(email));
    const matches = user
      ? await this.passwords.verify(password, user.passwordHash)
      : await this.passwords.verify(password, await decoyHash(this.passwords)).then(() => false);
    if (!user || !matches) {
      if (this.failures) await Promise.all(subjects.map((subject) => this.failures?.consume(subject)));
      throw wrongCredentials();
    }
    return this.startSession(user);
  }

  /** The live session behind a cookie's token (extended when an hour has passed since), or null. */
  async session(token: string): Promise<LiveSession | null> {
    if (!token) return null;
    const now = this.clock.now();
    const found = await this.store.findSession(hashToken(token), now);
    if (!found) return null;
    if (now - found.session.lastSeenAt < SESSION_REFRESH_MS) return { ...found, extended: false };
    const expiresAt = now + SESSION_LIFETIME_MS;
    await this.store.extendSession(found.session.id, now, expiresAt);
    return { user: found.user, session: { ...found.session, lastSeenAt: now, expiresAt }, extended: true };
  }

  /**
   * The user acting on a workspace through /api: the one named (id or slug), else their only one. Scopes follow
   * the role (role-scopes.ts).
   */
  async principal(user: User, session: Session, workspaceRef: string | undefined): Promise<Principal> {
    const workspaces = await this.store.workspacesOf(user.id);
    let chosen: (typeof workspaces)[number] | undefined;
    if (workspaceRef) {
      chosen = workspaces.find((w) => w.id === workspaceRef || w.slug === workspaceRef.toLowerCase());
      if (!chosen) throw forbidden("You are not a member of this workspace.");
    } else if (workspaces.length === 1) {
      chosen = workspaces[0];
    } else if (workspaces.length === 0) {
      throw forbidden("You are not a member of any workspace.");
    } else {
      throw badRequest("You belong to several workspaces: name one with the workspaceId query parameter.");
    }
    return {
      workspaceId: chosen.id,
      keyId: `session:${session.id}`,
      scopes: scopesOf(chosen.role),
      userId: user.id,
      role: chosen.role,
      actsAs: { userId: user.id, role: chosen.role },
    };
  }

  async me(user: User, session: Session): Promise<Me> {
    return {
      user: { id: user.id, email: user.email, name: user.name },
      workspaces: await this.store.workspacesOf(user.id),
      csrfToken: session.csrfToken,
    };
  }

  logout(session: Session): Promise<void> {
    return this.store.deleteSession(session.id);
  }

  logoutEverywhere(user: User): Promise<number> {
    return this.store.deleteSessionsOf(user.id);
  }

  async startSession(user: User): Promise<SignedIn> {
    const token = newToken();
    const now = this.clock.now();
    const session: Session = {
      id: prefixedId("sess"),
      userId: user.id,
      tokenHash: hashToken(token),
      csrfToken: newToken(),
      createdAt: now,
      expiresAt: now + SESSION_LIFETIME_MS,
      lastSeenAt: now,
    };
    await this.store.createSession(session);
    return { token, expiresAt: session.expiresAt, me: await this.me(user, session) };
  }

  /** A user not yet stored, with the password hashed. */
  async newUser(account: NewAccount): Promise<User> {
    const email = checkEmail(account.email);
    checkPassword(account.password);
    return {
      id: prefixedId("user"),
      email,
      name: checkName(account.name),
      passwordHash: await this.passwords.hash(account.password),
      createdAt: this.clock.now(),
    };
  }
}

export function emailTaken(error: unknown): unknown {
  if (error instanceof UniqueViolation && error.target === "email")
    return conflict("An account with this email already exists: sign in with it instead.");
  return error;
}
