import type { MembershipStore } from "../accounts/ports.js";
import type { Clock } from "../clock.js";
import { conflict, notFound, UniqueViolation } from "../errors.js";
import { prefixedId } from "../ids.js";
import type { Principal } from "../workspaces/model.js";
import type { FolderRole } from "./folder-access.js";
import { FolderGate } from "./folder-gate.js";
import type { Folder, FolderFields, FolderListFilter } from "./model.js";
import type { FolderStore } from "./ports.js";

/**
 * A workspace's folders. Whoever creates one owns it; a member sees and changes only what their role on each
 * folder allows (ADR 24).
 */
export class FolderService {
  private readonly gate: FolderGate;

  constructor(
    private readonly store: FolderStore,
    private readonly clock: Clock,
    private readonly members: Pick<MembershipStore, "roleIn">,
  ) {
    this.gate = new FolderGate(store);
  }

  async create(principal: Principal, fields: FolderFields): Promise<Folder> {
    const now = this.clock.now();
    const folder: Folder = {
      id: prefixedId("fold"),
      workspaceId: principal.workspaceId,
      ...fields,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.store.insert(folder, principal.actsAs?.userId ?? null);
    } catch (error) {
      throw translate(error, folder.name);
    }
    return folder;
  }

  get(principal: Principal, id: string): Promise<Folder> {
    return this.gate.check(principal, id, "read");
  }

  /** The folders the caller may read. */
  list(principal: Principal, filter: FolderListFilter): Promise<Folder[]> {
    return this.store.list(principal.workspaceId, { ...filter, readableBy: this.gate.readableBy(principal) });
  }

  async update(principal: Principal, id: string, input: Partial<FolderFields>): Promise<Folder> {
    const fields = Object.fromEntries(
      Object.entries(input).filter(([, value]) => value !== undefined),
    ) as Partial<FolderFields>;
    await this.gate.check(principal, id, "write");
    let folder: Folder | null;
    try {
      folder =
        Object.keys(fields).length === 0
          ? await this.store.findById(principal.workspaceId, id)
          : await this.store.update(principal.workspaceId, id, fields, this.clock.now());
    } catch (error) {
      throw translate(error, fields.name);
    }
    if (!folder) throw notFound("Folder not found.");
    return folder;
  }

  /**
   * Gives a member of the workspace their own role on the folder (over its access level), or with null takes it
   * away; only who may change the folder may.
   */
  async setUserRole(
    principal: Principal,
    id: string,
    userId: string,
    role: FolderRole | null,
  ): Promise<{ folderId: string; userId: string; role: FolderRole | null }> {
    await this.gate.check(principal, id, "write");
    if (!(await this.members.roleIn(principal.workspaceId, userId)))
      throw notFound("User is not a member of this workspace.");
    await this.store.setRole(principal.workspaceId, id, userId, role, this.clock.now());
    return { folderId: id, userId, role };
  }

  /** Its links stay, outside any folder. */
  async delete(principal: Principal, id: string): Promise<{ id: string }> {
    await this.gate.check(principal, id, "write");
    if (!(await this.store.delete(principal.workspaceId, id))) throw notFound("Folder not found.");
    return { id };
  }
}

const translate = (error: unknown, name: string | undefined) =>
  error instanceof UniqueViolation ? conflict(`A folder with the name "${name}" already exists.`) : error;
