import type { Tag, TagListFilter } from "./model.js";

/** Storage of a workspace's tags. Writes of a name the workspace already has throw `UniqueViolation("name")`. */
export interface TagStore {
  insert(tag: Tag): Promise<void>;
  update(
    workspaceId: string,
    id: string,
    fields: Partial<Pick<Tag, "name" | "color">>,
    updatedAt: number,
  ): Promise<Tag | null>;
  /** Deletes the tag and takes it off every link that carries it; false when the workspace has no such tag. */
  delete(workspaceId: string, id: string): Promise<boolean>;
  findById(workspaceId: string, id: string): Promise<Tag | null>;
  findByIds(workspaceId: string, ids: string[]): Promise<Tag[]>;
  /** Tags by name, whatever the case of the names given. */
  findByNames(workspaceId: string, names: string[]): Promise<Tag[]>;
  list(workspaceId: string, filter: TagListFilter): Promise<Tag[]>;
}
