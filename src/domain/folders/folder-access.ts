import type { Actor } from "../workspaces/model.js";
import type { Folder, FolderAccessLevel } from "./model.js";

/** A user's own role on a folder (Dub's folder users): it wins over the folder's access level. */
export const FOLDER_ROLES = ["owner", "editor", "viewer"] as const;
export type FolderRole = (typeof FOLDER_ROLES)[number];

/** What a call does to a folder: see it and its links, write links in it, or change the folder itself. */
export type FolderAction = "read" | "links.write" | "write";

const ACTIONS: Record<FolderRole, readonly FolderAction[]> = {
  owner: ["read", "links.write", "write"],
  editor: ["read", "links.write"],
  viewer: ["read"],
};

const ROLE_OF_LEVEL: Record<FolderAccessLevel, FolderRole> = { write: "editor", read: "viewer" };

/**
 * The role `actor` has on `folder` (ADR 24). The workspace's own keys (no actor) and the workspace's owners
 * administer every folder; a member has their own role on it when given one, else the folder's access level
 * (`write`: editor, `read`: viewer, none: no access).
 */
export function folderRole(
  folder: Pick<Folder, "accessLevel">,
  actor: Actor | null | undefined,
  own: FolderRole | null,
): FolderRole | null {
  if (!actor || actor.role === "owner") return "owner";
  if (own) return own;
  return folder.accessLevel ? ROLE_OF_LEVEL[folder.accessLevel] : null;
}

export const allows = (role: FolderRole | null, action: FolderAction) =>
  role !== null && ACTIONS[role].includes(action);

/** Whether an actor is limited by folders at all: only members are. */
export const limitedByFolders = (actor: Actor | null | undefined): actor is Actor =>
  !!actor && actor.role !== "owner";

export const isFolderRole = (value: string): value is FolderRole =>
  (FOLDER_ROLES as readonly string[]).includes(value);
