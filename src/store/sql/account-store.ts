import type { Kysely, Selectable, Transaction } from "kysely";
import type {
  Invite,
  Member,
  Membership,
  Role,
  Session,
  SetupToken,
  User,
  UserWorkspace,
} from "../../domain/accounts/model.js";
import { emailKey } from "../../domain/accounts/model.js";
import type { AccountStore, MemberChange } from "../../domain/accounts/ports.js";
import type { SqlDialect } from "./metadata-conditions.js";
import type { AccountTables, Database } from "./schema.js";
import { transact } from "./transact.js";
import { asUniqueViolation } from "./unique-violation.js";

const UNIQUE_EMAIL = { email: ["email_key"] };

export class SqlAccountStore implements AccountStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async createUser(user: User, membership?: Membership): Promise<void> {
    await this.writeUser((trx) => insertUser(trx, user, membership));
  }

  async getUser(id: string): Promise<User | null> {
    const row = await this.db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  async findUserByEmail(key: string): Promise<User | null> {
    const row = await this.db.selectFrom("users").selectAll().where("email_key", "=", key).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  async listUsers(): Promise<User[]> {
    return (await this.db.selectFrom("users").selectAll().orderBy("created_at").execute()).map(toUser);
  }

  async setPassword(userId: string, passwordHash: string): Promise<boolean> {
    return transact(this.db, async (trx) => {
      const result = await trx
        .updateTable("users")
        .set({ password_hash: passwordHash })
        .where("id", "=", userId)
        .executeTakeFirst();
      await trx.deleteFrom("sessions").where("user_id", "=", userId).execute();
      return Number(result.numUpdatedRows) > 0;
    });
  }

  async createSession(session: Session): Promise<void> {
    await this.db
      .insertInto("sessions")
      .values({
        id: session.id,
        user_id: session.userId,
        token_hash: session.tokenHash,
        csrf_token: session.csrfToken,
        created_at: session.createdAt,
        expires_at: session.expiresAt,
        last_seen_at: session.lastSeenAt,
      })
      .execute();
  }

  async findSession(tokenHash: string, now: number): Promise<{ session: Session; user: User } | null> {
    const row = await this.db
      .selectFrom("sessions")
      .innerJoin("users", "users.id", "sessions.user_id")
      .select([
        "sessions.id as session_id",
        "sessions.token_hash",
        "sessions.csrf_token",
        "sessions.created_at as session_created_at",
        "sessions.expires_at",
        "sessions.last_seen_at",
        "users.id",
        "users.email",
        "users.email_key",
        "users.name",
        "users.password_hash",
        "users.created_at",
      ])
      .where("sessions.token_hash", "=", tokenHash)
      .where("sessions.expires_at", ">", now)
      .executeTakeFirst();
    if (!row) return null;
    return {
      session: {
        id: row.session_id,
        userId: row.id,
        tokenHash: row.token_hash,
        csrfToken: row.csrf_token,
        createdAt: row.session_created_at,
        expiresAt: row.expires_at,
        lastSeenAt: row.last_seen_at,
      },
      user: toUser(row),
    };
  }

  async extendSession(id: string, lastSeenAt: number, expiresAt: number): Promise<void> {
    await this.db
      .updateTable("sessions")
      .set({ last_seen_at: lastSeenAt, expires_at: expiresAt })
      .where("id", "=", id)
      .execute();
  }

  async deleteSession(id: string): Promise<void> {
    await this.db.deleteFrom("sessions").where("id", "=", id).execute();
  }

  async deleteSessionsOf(userId: string): Promise<number> {
    const result = await this.db.deleteFrom("sessions").where("user_id", "=", userId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    const result = await this.db.deleteFrom("sessions").where("expires_at", "<=", now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async workspacesOf(userId: string): Promise<UserWorkspace[]> {
    const rows = await this.db
      .selectFrom("memberships")
      .innerJoin("workspaces", "workspaces.id", "memberships.workspace_id")
      .select(["workspaces.id", "workspaces.name", "workspaces.slug", "memberships.role"])
      .where("memberships.user_id", "=", userId)
      .orderBy("workspaces.created_at")
      .orderBy("workspaces.id")
      .execute();
    return rows.map((row) => ({ id: row.id, name: row.name, slug: row.slug, role: row.role as Role }));
  }

  async roleIn(workspaceId: string, userId: string): Promise<Role | null> {
    const row = await this.db
      .selectFrom("memberships")
      .select("role")
      .where("workspace_id", "=", workspaceId)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return (row?.role as Role | undefined) ?? null;
  }

  async listMembers(workspaceId: string): Promise<Member[]> {
    const rows = await this.db
      .selectFrom("memberships")
      .innerJoin("users", "users.id", "memberships.user_id")
      .select(["users.id", "users.email", "users.name", "memberships.role", "memberships.created_at"])
      .where("memberships.workspace_id", "=", workspaceId)
      .orderBy("memberships.created_at")
      .orderBy("users.id")
      .execute();
    return rows.map((row) => ({
      userId: row.id,
      email: row.email,
      name: row.name,
      role: row.role as Role,
      createdAt: row.created_at,
    }));
  }

  async addMembership(membership: Membership): Promise<void> {
    await insertMembership(this.db, membership);
  }

  async changeMember(workspaceId: string, userId: string, role: Role | null): Promise<MemberChange> {
    return transact(this.db, async (trx) => {
      let owners = trx
        .selectFrom("memberships")
        .select(["user_id", "role"])
        .where("workspace_id", "=", workspaceId)
        .where("role", "=", "owner");
      // Two owners demoting each other at once must not both succeed: the owners' rows are locked.
      if (this.dialect === "postgres") owners = owners.forUpdate();
      const ownerIds = (await owners.execute()).map((row) => row.user_id);
      const current = await trx
        .selectFrom("memberships")
        .select("role")
        .where("workspace_id", "=", workspaceId)
        .where("user_id", "=", userId)
        .executeTakeFirst();
      if (!current) return "no_member";
      const leavesOwnership = current.role === "owner" && role !== "owner";
      if (leavesOwnership && ownerIds.filter((id) => id !== userId).length === 0) return "last_owner";
      if (role === null) {
        await trx
          .deleteFrom("memberships")
          .where("workspace_id", "=", workspaceId)
          .where("user_id", "=", userId)
          .execute();
      } else {
        await trx
          .updateTable("memberships")
          .set({ role })
          .where("workspace_id", "=", workspaceId)
          .where("user_id", "=", userId)
          .execute();
      }
      return "changed";
    });
  }

  async createInvite(invite: Invite): Promise<void> {
    await this.db
      .insertInto("invites")
      .values({
        workspace_id: invite.workspaceId,
        id: invite.id,
        token_hash: invite.tokenHash,
        email: invite.email,
        role: invite.role,
        invited_by: invite.invitedBy,
        created_at: invite.createdAt,
        expires_at: invite.expiresAt,
        accepted_at: invite.acceptedAt,
        revoked_at: invite.revokedAt,
      })
      .execute();
  }

  async findInvite(tokenHash: string): Promise<Invite | null> {
    const row = await this.db
      .selectFrom("invites")
      .selectAll()
      .where("token_hash", "=", tokenHash)
      .executeTakeFirst();
    return row ? toInvite(row) : null;
  }

  async listInvites(workspaceId: string, now: number): Promise<Invite[]> {
    const rows = await this.db
      .selectFrom("invites")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("accepted_at", "is", null)
      .where("revoked_at", "is", null)
      .where("expires_at", ">", now)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return rows.map(toInvite);
  }

  async revokeInvite(workspaceId: string, id: string, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable("invites")
      .set({ revoked_at: at })
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .where("accepted_at", "is", null)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async acceptInvite(inviteId: string, at: number, membership: Membership, newUser?: User): Promise<boolean> {
    return this.writeUser(async (trx) => {
      const taken = await trx
        .updateTable("invites")
        .set({ accepted_at: at })
        .where("id", "=", inviteId)
        .where("workspace_id", "=", membership.workspaceId)
        .where("accepted_at", "is", null)
        .where("revoked_at", "is", null)
        .where("expires_at", ">", at)
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) === 0) return false;
      if (newUser) await insertUser(trx, newUser, membership);
      else await insertMembership(trx, membership);
      return true;
    });
  }

  async createSetupToken(token: SetupToken): Promise<void> {
    await this.db
      .insertInto("setup_tokens")
      .values({
        workspace_id: token.workspaceId,
        id: token.id,
        token_hash: token.tokenHash,
        created_at: token.createdAt,
        expires_at: token.expiresAt,
        used_at: token.usedAt,
      })
      .execute();
  }

  async findSetupToken(tokenHash: string): Promise<SetupToken | null> {
    const row = await this.db
      .selectFrom("setup_tokens")
      .selectAll()
      .where("token_hash", "=", tokenHash)
      .executeTakeFirst();
    return row
      ? {
          id: row.id,
          workspaceId: row.workspace_id,
          tokenHash: row.token_hash,
          createdAt: row.created_at,
          expiresAt: row.expires_at,
          usedAt: row.used_at,
        }
      : null;
  }

  async redeemSetupToken(id: string, at: number, user: User, membership: Membership): Promise<boolean> {
    return this.writeUser(async (trx) => {
      const taken = await trx
        .updateTable("setup_tokens")
        .set({ used_at: at })
        .where("id", "=", id)
        .where("used_at", "is", null)
        .where("expires_at", ">", at)
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) === 0) return false;
      await insertUser(trx, user, membership);
      return true;
    });
  }

  /** A transaction that may insert a user: a taken email leaves as `UniqueViolation("email")`. */
  private async writeUser<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    try {
      return await transact(this.db, work);
    } catch (error) {
      throw asUniqueViolation(error, UNIQUE_EMAIL);
    }
  }
}

async function insertUser(trx: Kysely<Database>, user: User, membership?: Membership): Promise<void> {
  await trx
    .insertInto("users")
    .values({
      id: user.id,
      email: user.email,
      email_key: emailKey(user.email),
      name: user.name,
      password_hash: user.passwordHash,
      created_at: user.createdAt,
    })
    .execute();
  if (membership) await insertMembership(trx, membership);
}

async function insertMembership(db: Kysely<Database>, membership: Membership): Promise<void> {
  await db
    .insertInto("memberships")
    .values({
      workspace_id: membership.workspaceId,
      user_id: membership.userId,
      role: membership.role,
      created_at: membership.createdAt,
    })
    .onConflict((conflict) => conflict.columns(["workspace_id", "user_id"]).doNothing())
    .execute();
}

function toUser(row: Selectable<AccountTables["users"]>): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
  };
}

function toInvite(row: Selectable<AccountTables["invites"]>): Invite {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    tokenHash: row.token_hash,
    email: row.email,
    role: row.role as Role,
    invitedBy: row.invited_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    acceptedAt: row.accepted_at,
    revokedAt: row.revoked_at,
  };
}
