import { z } from "zod";
import { SCOPES } from "../../domain/workspaces/scopes.js";

export const tokenBody = z.object({
  name: z.string().trim().min(1).max(190),
  scopes: z.array(z.enum(SCOPES)).max(SCOPES.length).optional().describe("Every scope when not given"),
  kind: z.enum(["secret", "publishable"]).optional().describe("A publishable key (dub_pk_…) takes no scopes"),
});

export const tokenUpdateBody = z.object({
  name: z.string().trim().min(1).max(190).optional(),
  scopes: z
    .array(z.enum(SCOPES))
    .max(SCOPES.length)
    .nullable()
    .optional()
    .describe(
      "The key's new scopes, in place of its old ones; null or empty: every scope. Absent: unchanged",
    ),
});

export const tokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    partialKey: z.string(),
    scopes: z.array(z.enum(SCOPES)).nullable().describe("null: every scope"),
    kind: z.enum(["secret", "publishable"]),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable().describe("To the minute"),
  })
  .meta({ id: "ApiToken" });

export const createdTokenSchema = tokenSchema.extend({
  key: z.string().describe("The key itself: shown in this answer only"),
});
