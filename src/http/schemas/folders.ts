import { z } from "zod";
import { FOLDER_ROLES } from "../../domain/folders/folder-access.js";
import { FOLDER_ACCESS_LEVELS } from "../../domain/folders/model.js";

const name = z.string().trim().min(1).max(190);
const description = z.string().max(500).nullable();
const accessLevel = z.enum(FOLDER_ACCESS_LEVELS).nullable();

export const folderBody = z.object({
  name,
  description: description.optional(),
  accessLevel: accessLevel.default("write"),
});

export const folderPatchBody = z.object({
  name: name.optional(),
  description: description.optional(),
  accessLevel: accessLevel.optional(),
});

export const folderListQuery = z.object({
  search: z.string().optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(50).default(50),
});

export const folderSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    type: z.enum(["default", "mega"]),
    accessLevel: accessLevel,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "Folder" });

/** A member's own role on a folder (null takes it away): Dub's folder users. */
export const folderUserBody = z.object({ userId: z.string().min(1), role: z.enum(FOLDER_ROLES).nullable() });

export const folderUserSchema = z.object({
  folderId: z.string(),
  userId: z.string(),
  role: z.enum(FOLDER_ROLES).nullable(),
});
