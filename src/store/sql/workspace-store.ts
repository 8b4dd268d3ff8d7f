import type { Kysely, Selectable } from "kysely";
import type {
  ApiKey,
  ApiKeyWithRole,
  KeyChanges,
  Workspace,
  WorkspaceChanges,
  WorkspaceUsage,
} from "../../domain/workspaces/model.js";
import type { WorkspaceStore } from "../../domain/workspaces/ports.js";
import type { Scope } from "../../domain/workspaces/scopes.js";
import type { Database } from "./schema.js";
import { asUniqueViolation } from "./unique-violation.js";

const UNIQUE_SLUG = { slug: ["slug"] };

export class SqlWorkspaceStore implements WorkspaceStore {
  constructor(private readonly db: Kysely<Database>) {}

  async createWorkspace(workspace: Workspace): Promise<void> {
    try {
      await this.db
        .insertInto("workspaces")
        .values({
          id: workspace.id,
          name: workspace.name,
          slug: workspace.slug,
          allowed_hostnames: JSON.stringify(workspace.allowedHostnames),
          created_at: workspace.createdAt,
        })
        .execute();
    } catch (error) {
      throw asUniqueViolation(error, UNIQUE_SLUG);
    }
  }

  async updateWorkspace(id: string, changes: WorkspaceChanges): Promise<Workspace | null> {
    if (changes.name !== undefined || changes.slug !== undefined || changes.allowedHostnames !== undefined) {
      try {
        await this.db
          .updateTable("workspaces")
          .set({
            ...(changes.name !== undefined && { name: changes.name }),
            ...(changes.slug !== undefined && { slug: changes.slug }),
            ...(changes.allowedHostnames !== undefined && {
              allowed_hostnames: JSON.stringify(changes.allowedHostnames),
            }),
          })
          .where("id", "=", id)
          .execute();
      } catch (error) {
        throw asUniqueViolation(error, UNIQUE_SLUG);
      }
    }
    return this.getWorkspace(id);
  }

  async usageSince(workspaceId: string, since: number): Promise<WorkspaceUsage> {
    const [events, links] = await Promise.all([
      this.db
        .selectFrom("rollups")
        .select((eb) => [
          eb.fn.coalesce(eb.fn.sum<number>("clicks"), eb.lit(0)).as("clicks"),
          eb.fn.coalesce(eb.fn.sum<number>("leads"), eb.lit(0)).as("leads"),
          eb.fn.coalesce(eb.fn.sum<number>("sales"), eb.lit(0)).as("sales"),
          eb.fn.coalesce(eb.fn.sum<number>("sale_amount"), eb.lit(0)).as("sale_amount"),
        ])
        .where("workspace_id", "=", workspaceId)
        .where("dimension", "=", "all")
        .where("hours", "=", 24)
        .where("link_id", "=", "")
        .where("period", ">=", since)
        .executeTakeFirstOrThrow(),
      this.db
        .selectFrom("links")
        .select((eb) => eb.fn.countAll<number>().as("count"))
        .where("workspace_id", "=", workspaceId)
        .where("created_at", ">=", since)
        .executeTakeFirstOrThrow(),
    ]);
    return {
      events: Number(events.clicks) + Number(events.leads) + Number(events.sales),
      links: Number(links.count),
      saleAmount: Number(events.sale_amount),
    };
  }

  async domainsOf(workspaceId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom("domains")
      .select("slug")
      .where("workspace_id", "=", workspaceId)
      .orderBy("slug")
      .execute();
    return rows.map((row) => row.slug);
  }

  async getWorkspace(id: string): Promise<Workspace | null> {
    const row = await this.db.selectFrom("workspaces").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toWorkspace(row) : null;
  }

  async listWorkspaces(): Promise<Workspace[]> {
    const rows = await this.db.selectFrom("workspaces").selectAll().orderBy("created_at").execute();
    return rows.map(toWorkspace);
  }

  async setAllowedHostnames(id: string, hostnames: string[]): Promise<boolean> {
    const result = await this.db
      .updateTable("workspaces")
      .set({ allowed_hostnames: JSON.stringify(hostnames) })
      .where("id", "=", id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async createKey(key: ApiKey): Promise<void> {
    await this.db
      .insertInto("api_keys")
      .values({
        id: key.id,
        workspace_id: key.workspaceId,
        name: key.name,
        hashed_key: key.hashedKey,
        partial_key: key.partialKey,
        scopes: key.scopes ? key.scopes.join(" ") : null,
        created_at: key.createdAt,
        last_used_at: key.lastUsedAt,
        revoked_at: key.revokedAt,
        kind: key.kind,
        user_id: key.userId,
      })
      .execute();
  }

  async findKeyByHash(hashedKey: string): Promise<ApiKeyWithRole | null> {
    const row = await this.db
      .selectFrom("api_keys")
      .leftJoin("memberships", (join) =>
        join
          .onRef("memberships.workspace_id", "=", "api_keys.workspace_id")
          .onRef("memberships.user_id", "=", "api_keys.user_id"),
      )
      .selectAll("api_keys")
      .select("memberships.role as user_role")
      .where("api_keys.hashed_key", "=", hashedKey)
      .executeTakeFirst();
    if (!row) return null;
    const { user_role, ...key } = row;
    return {
      ...toApiKey(key),
      userRole: user_role === "owner" || user_role === "member" ? user_role : null,
    };
  }

  async listKeys(workspaceId?: string): Promise<ApiKey[]> {
    let query = this.db.selectFrom("api_keys").selectAll().orderBy("created_at");
    if (workspaceId) query = query.where("workspace_id", "=", workspaceId);
    return (await query.execute()).map(toApiKey);
  }

  async touchKey(id: string, at: number): Promise<void> {
    await this.db.updateTable("api_keys").set({ last_used_at: at }).where("id", "=", id).execute();
  }

  async updateKey(id: string, changes: KeyChanges): Promise<boolean> {
    if (changes.name === undefined && changes.scopes === undefined) {
      const live = await this.db
        .selectFrom("api_keys")
        .select("id")
        .where("id", "=", id)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      return live !== undefined;
    }
    const result = await this.db
      .updateTable("api_keys")
      .set({
        ...(changes.name !== undefined && { name: changes.name }),
        ...(changes.scopes !== undefined && { scopes: changes.scopes ? changes.scopes.join(" ") : null }),
      })
      .where("id", "=", id)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async revokeKey(id: string, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable("api_keys")
      .set({ revoked_at: at })
      .where("id", "=", id)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}

function toWorkspace(row: Selectable<Database["workspaces"]>): Workspace {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    allowedHostnames: row.allowed_hostnames ? (JSON.parse(row.allowed_hostnames) as string[]) : [],
    createdAt: Number(row.created_at),
  };
}

function toApiKey(row: Selectable<Database["api_keys"]>): ApiKey {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    name: row.name,
    hashedKey: row.hashed_key,
    partialKey: row.partial_key,
    scopes: row.scopes ? (row.scopes.split(" ") as Scope[]) : null,
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    kind: row.kind === "publishable" ? "publishable" : "secret",
    userId: row.user_id,
  };
}
