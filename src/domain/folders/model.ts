/** Who in the workspace may see and fill a folder, in Dub's terms; Clicktrail keeps it but has no per-user rights. */
export const FOLDER_ACCESS_LEVELS = ["write", "read"] as const;
export type FolderAccessLevel = (typeof FOLDER_ACCESS_LEVELS)[number];

export type Folder = {
  id: string;
  workspaceId: string;
  name: string;
  description: string | null;
  accessLevel: FolderAccessLevel | null;
  createdAt: number;
  updatedAt: number;
};

export type FolderFields = Pick<Folder, "name" | "description" | "accessLevel">;

export type FolderListFilter = { search?: string; page: number; pageSize: number };
