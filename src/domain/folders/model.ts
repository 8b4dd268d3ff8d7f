/** What members without a role of their own on a folder may do with it (ADR 24); none: they do not see it. */
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

/** `readableBy`: only the folders that user may read as a member (see folder-access.ts). */
export type FolderListFilter = { search?: string; page: number; pageSize: number; readableBy?: string };
