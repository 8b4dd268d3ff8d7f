import type { FolderRole } from "./folder-access.js";
import type { Folder, FolderFields, FolderListFilter } from "./model.js";

/** Storage of a workspace's folders. Writes of a name the workspace already has throw `UniqueViolation("name")`. */
export interface FolderStore {
  /** With `ownerId`, that user becomes the folder's owner in the same transaction. */
  insert(folder: Folder, ownerId?: string | null): Promise<void>;
  update(
    workspaceId: string,
    id: string,
    fields: Partial<FolderFields>,
    updatedAt: number,
  ): Promise<Folder | null>;
  /**
   * Deletes the folder, its users' roles, and moves its links out of it, at once; false when the workspace has no
   * such folder.
   */
  delete(workspaceId: string, id: string): Promise<boolean>;
  findById(workspaceId: string, id: string): Promise<Folder | null>;
  findByIds(workspaceId: string, ids: string[]): Promise<Folder[]>;
  list(workspaceId: string, filter: FolderListFilter): Promise<Folder[]>;
  /** A user's own role on a folder; null when they have none. */
  roleOf(workspaceId: string, folderId: string, userId: string): Promise<FolderRole | null>;
  /** Every folder a user has a role of their own on, with that role. */
  rolesOf(workspaceId: string, userId: string): Promise<Map<string, FolderRole>>;
  /** Gives a user their own role on a folder, or with null takes it away. */
  setRole(
    workspaceId: string,
    folderId: string,
    userId: string,
    role: FolderRole | null,
    at: number,
  ): Promise<void>;
}
