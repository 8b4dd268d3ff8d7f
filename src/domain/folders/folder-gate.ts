import { forbidden, notFound } from "../errors.js";
import type { Principal } from "../workspaces/model.js";
import { allows, type FolderAction, folderRole, limitedByFolders } from "./folder-access.js";
import type { Folder } from "./model.js";
import type { FolderStore } from "./ports.js";

/** Dub's answer to an action on a folder the caller may not take. */
export const FOLDER_FORBIDDEN = "You are not allowed to perform this action on this folder.";

/** Where a call meets a folder: whether the user it acts as may read it, write links in it, or change it. */
export class FolderGate {
  constructor(private readonly folders: Pick<FolderStore, "findById" | "roleOf">) {}

  /** The folder, when the caller may take `action` on it; 404 when the workspace has none, else 403. */
  async check(principal: Principal, folderId: string, action: FolderAction): Promise<Folder> {
    const folder = await this.folders.findById(principal.workspaceId, folderId);
    if (!folder) throw notFound("Folder not found.");
    if (!(await this.may(principal, folder, action))) throw forbidden(FOLDER_FORBIDDEN);
    return folder;
  }

  /** Whether the caller may take `action` on the folder a link sits in (null: in none, always). */
  async mayOnLink(principal: Principal, folderId: string | null, action: FolderAction): Promise<boolean> {
    if (folderId === null || !limitedByFolders(principal.actsAs)) return true;
    const folder = await this.folders.findById(principal.workspaceId, folderId);
    return folder === null || (await this.may(principal, folder, action));
  }

  async may(principal: Principal, folder: Folder, action: FolderAction): Promise<boolean> {
    const actor = principal.actsAs;
    const own = limitedByFolders(actor)
      ? await this.folders.roleOf(principal.workspaceId, folder.id, actor.userId)
      : null;
    return allows(folderRole(folder, actor, own), action);
  }

  /** The user whose readable folders bound a listing, when the caller is bounded by folders at all. */
  readableBy(principal: Principal): string | undefined {
    return limitedByFolders(principal.actsAs) ? principal.actsAs.userId : undefined;
  }
}
