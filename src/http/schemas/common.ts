import { z } from "zod";

export const errorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), doc_url: z.string() }),
});

/** Query booleans arrive as the strings "true"/"false". */
export const queryBoolean = z.enum(["true", "false"]).transform((value) => value === "true");

export const isoDate = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), { error: "expected an ISO 8601 date" })
  .transform((value) => Date.parse(value));
