import { forbidden } from "../errors.js";
import type { EventFilter, IdFilter } from "../events/model.js";
import type { LinkStore } from "../links/ports.js";
import type { Actor, Principal } from "../workspaces/model.js";
import { allows, folderRole, limitedByFolders } from "./folder-access.js";
import { FOLDER_FORBIDDEN } from "./folder-gate.js";
import type { FolderStore } from "./ports.js";

const PAGE = 500;

/**
 * Keeps what analytics and events count to the links a caller may read (ADR 24): a member's call leaves out the
 * events of links in folders closed to them, and naming such a folder, or a link in one, is Dub's 403. Owners and
 * the workspace's own keys read every folder and pay nothing.
 */
export class ReadableFolders {
  constructor(
    private readonly folders: Pick<FolderStore, "list" | "rolesOf">,
    private readonly links: Pick<LinkStore, "findById">,
  ) {}

  /** The call's folder filter (the one it asked for, or none) as this caller may have it. */
  async bound(
    principal: Principal,
    filter: Pick<EventFilter, "folders" | "linkId">,
  ): Promise<IdFilter | undefined> {
    const requested = filter.folders;
    const actor = principal.actsAs;
    if (!limitedByFolders(actor)) return requested;
    const closed = await this.closedTo(principal.workspaceId, actor);
    if (closed.size === 0) return requested;
    if (filter.linkId) {
      const link = await this.links.findById(principal.workspaceId, filter.linkId);
      if (link?.folderId && closed.has(link.folderId)) throw forbidden(FOLDER_FORBIDDEN);
    }
    if (requested && !requested.exclude) {
      if (requested.ids.some((id) => closed.has(id))) throw forbidden(FOLDER_FORBIDDEN);
      return requested;
    }
    return { ids: [...new Set([...(requested?.ids ?? []), ...closed])], exclude: true };
  }

  private async closedTo(workspaceId: string, actor: Actor): Promise<Set<string>> {
    const own = await this.folders.rolesOf(workspaceId, actor.userId);
    const closed = new Set<string>();
    for (let page = 1; ; page++) {
      const folders = await this.folders.list(workspaceId, { page, pageSize: PAGE });
      for (const folder of folders)
        if (!allows(folderRole(folder, actor, own.get(folder.id) ?? null), "read")) closed.add(folder.id);
      if (folders.length < PAGE) return closed;
    }
  }
}
