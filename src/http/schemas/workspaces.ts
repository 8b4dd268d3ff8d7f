import { z } from "zod";
import { SLUG_MAX, SLUG_MIN } from "../../domain/workspaces/slug.js";

export const workspaceParams = z.object({
  idOrSlug: z.string().describe("The workspace's id (ws_…) or its slug"),
});

/** Dub's update body: a name of 1–32 characters, a slug of 3–48 letters, digits and hyphens (kept lowercase). */
export const workspacePatchBody = z.object({
  name: z.string().trim().min(1).max(32).optional(),
  slug: z
    .string()
    .trim()
    .min(SLUG_MIN)
    .max(SLUG_MAX)
    .regex(/^[a-zA-Z0-9-]{3,48}$/, { error: "3 to 48 letters, digits and hyphens" })
    .transform((slug) => slug.toLowerCase())
    .optional(),
  allowedHostnames: z
    .array(z.string().max(253))
    .max(100)
    .optional()
    .describe("Sites allowed to track from the browser: example.com, *.example.com (replaces the list)"),
  logo: z
    .unknown()
    .refine((value) => value === undefined || value === null, {
      error: "workspace logos are not stored by Clicktrail",
    })
    .optional(),
});

const nullString = z.string().nullable();

export const workspaceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    slug: z.string(),
    logo: nullString,
    inviteCode: nullString,
    plan: z.enum([
      "free",
      "pro",
      "business",
      "business plus",
      "business extra",
      "business max",
      "enterprise",
    ]),
    stripeId: nullString,
    billingCycleStart: z.number().describe("Day of the month (UTC) each usage cycle begins on"),
    paymentFailedAt: nullString,
    stripeConnectId: nullString,
    payoutMethodId: nullString,
    usage: z.number().describe("Clicks, leads and sales recorded in the current cycle"),
    usageLimit: z.number(),
    linksUsage: z.number().describe("Links created in the current cycle"),
    linksLimit: z.number(),
    salesUsage: z.number().describe("Converted revenue in the current cycle, in USD cents"),
    salesLimit: z.number(),
    domainsLimit: z.number(),
    tagsLimit: z.number(),
    usersLimit: z.number(),
    aiUsage: z.number(),
    aiLimit: z.number(),
    referralLinkId: nullString,
    conversionEnabled: z.boolean(),
    dotLinkClaimed: z.boolean(),
    partnersEnabled: z.boolean(),
    publishableKey: nullString,
    createdAt: z.string(),
    users: z.array(z.object({ role: z.enum(["owner", "member"]) })),
    domains: z.array(z.object({ slug: z.string(), primary: z.boolean(), verified: z.boolean() })),
    flags: z.record(z.string(), z.boolean()),
    allowedHostnames: z
      .array(z.string())
      .nullable()
      .describe("Sites allowed to track from the browser (client-side clicks, leads and sales)"),
  })
  .meta({ id: "Workspace" });
