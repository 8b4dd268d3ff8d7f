import type { Folder, FolderFields, FolderListFilter } from "./model.js";

/** Storage of a workspace's folders. Writes of a name the workspace already has throw `UniqueViolation("name")`. */
export interface FolderStore {
  insert(folder: Folder): Promise<void>;
  update(
    workspaceId: string,
    id: string,
    fields: Partial<FolderFields>,
    updatedAt: number,
  ): Promise<Folder | null>;
  /** Deletes the folder and moves its links out of it, at once; false when the workspace has no such folder. */
  delete(workspaceId: string, id: string): Promise<boolean>;
  findById(workspaceId: string, id: string): Promise<Folder | null>;
  findByIds(workspaceId: string, ids: string[]): Promise<Folder[]>;
  list(workspaceId: string, filter: FolderListFilter): Promise<Folder[]>;
}
