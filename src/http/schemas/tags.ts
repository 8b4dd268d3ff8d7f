import { z } from "zod";
import { TAG_COLORS } from "../../domain/tags/model.js";
import { listOf } from "./common.js";

const color = z.enum(TAG_COLORS, { error: `must be one of: ${TAG_COLORS.join(", ")}` });
const name = z.string().trim().min(1).max(50);

export const tagBody = z
  .object({
    name: name.optional(),
    color: color.optional(),
    tag: name.optional().describe("Deprecated: use name"),
  })
  .refine((body) => body.name !== undefined || body.tag !== undefined, {
    path: ["name"],
    error: "Name is required.",
  });

export const tagPatchBody = z.object({
  name: name.optional(),
  color: color.optional(),
  tag: name.optional().describe("Deprecated: use name"),
});

export const tagListQuery = z.object({
  sortBy: z.enum(["name", "createdAt"]).default("name"),
  sortOrder: z.enum(["asc", "desc"]).default("asc"),
  search: z.string().optional(),
  ids: listOf.optional().describe("Tag ids, repeated or comma-separated"),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(100),
});

export const tagSchema = z
  .object({ id: z.string(), name: z.string(), color: z.enum(TAG_COLORS) })
  .meta({ id: "LinkTag" });
