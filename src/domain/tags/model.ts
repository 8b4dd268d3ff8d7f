import { nameKey } from "../names.js";

/** Dub's tag colours. The seed-era Go SDK (v0.9.7) knows all but `gray`. */
export const TAG_COLORS = ["red", "yellow", "green", "blue", "purple", "brown", "gray", "pink"] as const;
export type TagColor = (typeof TAG_COLORS)[number];

/** The colours every SDK generation decodes: a tag created without a colour gets one of these. */
export const EVERY_GENERATION_COLORS: readonly TagColor[] = TAG_COLORS.filter((color) => color !== "gray");

export type Tag = {
  id: string;
  workspaceId: string;
  name: string;
  color: TagColor;
  createdAt: number;
  updatedAt: number;
};

/** What a link shows of each of its tags. */
export type LinkTag = Pick<Tag, "id" | "name" | "color">;

export type TagListFilter = {
  search?: string;
  ids?: string[];
  sortBy: "name" | "createdAt";
  sortOrder: "asc" | "desc";
  page: number;
  pageSize: number;
};

/** A link's tags in the order it shows them: by name, whatever its case. */
export const byName = (a: LinkTag, b: LinkTag) =>
  nameKey(a.name) < nameKey(b.name) ? -1 : nameKey(a.name) > nameKey(b.name) ? 1 : a.id < b.id ? -1 : 1;
