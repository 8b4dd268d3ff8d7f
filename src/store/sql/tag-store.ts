import type { Kysely, Selectable } from "kysely";
import { nameKey } from "../../domain/names.js";
import type { Tag, TagColor, TagListFilter } from "../../domain/tags/model.js";
import type { TagStore } from "../../domain/tags/ports.js";
import { containing } from "./like.js";
import type { Database, TagRow } from "./schema.js";
import { asUniqueViolation } from "./unique-violation.js";

const UNIQUE_TARGETS = { name: ["name"] };

const SORT_COLUMNS = { name: "name_key", createdAt: "created_at" } as const;

export class SqlTagStore implements TagStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(tag: Tag): Promise<void> {
    try {
      await this.db
        .insertInto("tags")
        .values({
          workspace_id: tag.workspaceId,
          id: tag.id,
          name: tag.name,
          name_key: nameKey(tag.name),
          color: tag.color,
          created_at: tag.createdAt,
          updated_at: tag.updatedAt,
        })
        .execute();
    } catch (error) {
      throw asUniqueViolation(error, UNIQUE_TARGETS);
    }
  }

  async update(
    workspaceId: string,
    id: string,
    fields: Partial<Pick<Tag, "name" | "color">>,
    updatedAt: number,
  ): Promise<Tag | null> {
    try {
      const row = await this.db
        .updateTable("tags")
        .set({
          ...(fields.name !== undefined && { name: fields.name, name_key: nameKey(fields.name) }),
          ...(fields.color !== undefined && { color: fields.color }),
          updated_at: updatedAt,
        })
        .where("workspace_id", "=", workspaceId)
        .where("id", "=", id)
        .returningAll()
        .executeTakeFirst();
      return row ? toTag(row) : null;
    } catch (error) {
      throw asUniqueViolation(error, UNIQUE_TARGETS);
    }
  }

  /** `link_tags` rows go with the tag (their foreign key cascades). */
  async delete(workspaceId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("tags")
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async findById(workspaceId: string, id: string): Promise<Tag | null> {
    const row = await this.db
      .selectFrom("tags")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .executeTakeFirst();
    return row ? toTag(row) : null;
  }

  async findByIds(workspaceId: string, ids: string[]): Promise<Tag[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom("tags")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("id", "in", ids)
      .execute();
    return rows.map(toTag);
  }

  async findByNames(workspaceId: string, names: string[]): Promise<Tag[]> {
    if (names.length === 0) return [];
    const rows = await this.db
      .selectFrom("tags")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("name_key", "in", [...new Set(names.map(nameKey))])
      .execute();
    return rows.map(toTag);
  }

  async list(workspaceId: string, filter: TagListFilter): Promise<Tag[]> {
    let query = this.db.selectFrom("tags").selectAll().where("workspace_id", "=", workspaceId);
    if (filter.search) query = query.where("name_key", "like", containing(nameKey(filter.search)));
    if (filter.ids) query = query.where("id", "in", filter.ids.length > 0 ? filter.ids : [""]);
    const rows = await query
      .orderBy(SORT_COLUMNS[filter.sortBy], filter.sortOrder)
      .orderBy("id", filter.sortOrder)
      .limit(filter.pageSize)
      .offset((filter.page - 1) * filter.pageSize)
      .execute();
    return rows.map(toTag);
  }
}

function toTag(row: Selectable<TagRow>): Tag {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    name: row.name,
    color: row.color as TagColor,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
