import type { Kysely, Selectable } from "kysely";
import { type FolderRole, isFolderRole } from "../../domain/folders/folder-access.js";
import type {
  Folder,
  FolderAccessLevel,
  FolderFields,
  FolderListFilter,
} from "../../domain/folders/model.js";
import type { FolderStore } from "../../domain/folders/ports.js";
import { nameKey } from "../../domain/names.js";
import { containing } from "./like.js";
import type { Database, FolderRow } from "./schema.js";
import { transact } from "./transact.js";
import { asUniqueViolation } from "./unique-violation.js";

const UNIQUE_TARGETS = { name: ["name"] };

export class SqlFolderStore implements FolderStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(folder: Folder, ownerId: string | null = null): Promise<void> {
    try {
      await transact(this.db, async (trx) => {
        await trx
          .insertInto("folders")
          .values({
            workspace_id: folder.workspaceId,
            id: folder.id,
            name: folder.name,
            name_key: nameKey(folder.name),
            description: folder.description,
            access_level: folder.accessLevel,
            created_at: folder.createdAt,
            updated_at: folder.updatedAt,
          })
          .execute();
        if (ownerId !== null) {
          await trx
            .insertInto("folder_users")
            .values({
              workspace_id: folder.workspaceId,
              folder_id: folder.id,
              user_id: ownerId,
              role: "owner",
              created_at: folder.createdAt,
            })
            .execute();
        }
      });
    } catch (error) {
      throw asUniqueViolation(error, UNIQUE_TARGETS);
    }
  }

  async roleOf(workspaceId: string, folderId: string, userId: string): Promise<FolderRole | null> {
    const row = await this.db
      .selectFrom("folder_users")
      .select("role")
      .where("workspace_id", "=", workspaceId)
      .where("folder_id", "=", folderId)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return row && isFolderRole(row.role) ? row.role : null;
  }

  async rolesOf(workspaceId: string, userId: string): Promise<Map<string, FolderRole>> {
    const rows = await this.db
      .selectFrom("folder_users")
      .select(["folder_id", "role"])
      .where("workspace_id", "=", workspaceId)
      .where("user_id", "=", userId)
      .execute();
    return new Map(
      rows.flatMap((row) => (isFolderRole(row.role) ? [[row.folder_id, row.role] as const] : [])),
    );
  }

  async setRole(
    workspaceId: string,
    folderId: string,
    userId: string,
    role: FolderRole | null,
    at: number,
  ): Promise<void> {
    await transact(this.db, async (trx) => {
      await trx
        .deleteFrom("folder_users")
        .where("workspace_id", "=", workspaceId)
        .where("folder_id", "=", folderId)
        .where("user_id", "=", userId)
        .execute();
      if (role === null) return;
      await trx
        .insertInto("folder_users")
        .values({ workspace_id: workspaceId, folder_id: folderId, user_id: userId, role, created_at: at })
        .execute();
    });
  }

  async update(
    workspaceId: string,
    id: string,
    fields: Partial<FolderFields>,
    updatedAt: number,
  ): Promise<Folder | null> {
    try {
      const row = await this.db
        .updateTable("folders")
        .set({
          ...(fields.name !== undefined && { name: fields.name, name_key: nameKey(fields.name) }),
          ...(fields.description !== undefined && { description: fields.description }),
          ...(fields.accessLevel !== undefined && { access_level: fields.accessLevel }),
          updated_at: updatedAt,
        })
        .where("workspace_id", "=", workspaceId)
        .where("id", "=", id)
        .returningAll()
        .executeTakeFirst();
      return row ? toFolder(row) : null;
    } catch (error) {
      throw asUniqueViolation(error, UNIQUE_TARGETS);
    }
  }

  /**
   * The folder row goes first: a link write holds the row it files a link under (link-store.ts), so once the
   * delete has it, no link can still be filed under the folder after its links were moved out.
   */
  async delete(workspaceId: string, id: string): Promise<boolean> {
    return transact(this.db, async (trx) => {
      const result = await trx
        .deleteFrom("folders")
        .where("workspace_id", "=", workspaceId)
        .where("id", "=", id)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) return false;
      await trx
        .deleteFrom("folder_users")
        .where("workspace_id", "=", workspaceId)
        .where("folder_id", "=", id)
        .execute();
      await trx
        .updateTable("links")
        .set({ folder_id: null })
        .where("workspace_id", "=", workspaceId)
        .where("folder_id", "=", id)
        .execute();
      return true;
    });
  }

  async findById(workspaceId: string, id: string): Promise<Folder | null> {
    const row = await this.db
      .selectFrom("folders")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .executeTakeFirst();
    return row ? toFolder(row) : null;
  }

  async findByIds(workspaceId: string, ids: string[]): Promise<Folder[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom("folders")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("id", "in", ids)
      .execute();
    return rows.map(toFolder);
  }

  async list(workspaceId: string, filter: FolderListFilter): Promise<Folder[]> {
    let query = this.db.selectFrom("folders").selectAll().where("workspace_id", "=", workspaceId);
    if (filter.search) query = query.where("name_key", "like", containing(nameKey(filter.search)));
    const { readableBy } = filter;
    if (readableBy !== undefined) {
      query = query.where((eb) =>
        eb.or([
          eb("access_level", "is not", null),
          eb("id", "in", ownFolders(this.db, workspaceId, readableBy)),
        ]),
      );
    }
    const rows = await query
      .orderBy("name_key")
      .orderBy("id")
      .limit(filter.pageSize)
      .offset((filter.page - 1) * filter.pageSize)
      .execute();
    return rows.map(toFolder);
  }
}

/** The folders a user has a role of their own on (any role reads the folder). */
export const ownFolders = (db: Kysely<Database>, workspaceId: string, userId: string) =>
  db
    .selectFrom("folder_users")
    .select("folder_users.folder_id")
    .where("folder_users.workspace_id", "=", workspaceId)
    .where("folder_users.user_id", "=", userId);

function toFolder(row: Selectable<FolderRow>): Folder {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    name: row.name,
    description: row.description,
    accessLevel: row.access_level as FolderAccessLevel | null,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
