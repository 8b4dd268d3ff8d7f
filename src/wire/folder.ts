import type { Folder } from "../domain/folders/model.js";
import { iso } from "./iso.js";

/** Dub's folder; every Clicktrail folder is of Dub's `default` type (its `mega` folders belong to partner programs). */
export function presentFolder(folder: Folder) {
  return {
    id: folder.id,
    name: folder.name,
    description: folder.description,
    type: "default" as const,
    accessLevel: folder.accessLevel,
    createdAt: iso(folder.createdAt),
    updatedAt: iso(folder.updatedAt),
  };
}
