import { z } from "zod";
import { DOMAIN_PATTERN, isAllowedDestination } from "../../domain/links/rules.js";
import { queryBoolean } from "./common.js";

const slug = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(190)
  .regex(DOMAIN_PATTERN, { error: "must be a host name" });

const webPage = z
  .string()
  .trim()
  .max(32_000)
  .refine(isAllowedDestination, { error: "must be an absolute http:// or https:// URL" })
  .nullish();

/** Dub uploads a logo given as image data; Clicktrail stores only the address of one. */
const logo = z
  .string()
  .trim()
  .max(2_000)
  .refine(isAllowedDestination, {
    error: "must be the http:// or https:// URL of an image (Clicktrail stores no uploads)",
  })
  .nullish();

const notServed = (file: string) =>
  z
    .string()
    .nullish()
    .refine((value) => value === undefined || value === null, {
      error: `Clicktrail does not serve ${file} for a domain`,
    });

export const domainBody = z.object({
  slug,
  expiredUrl: webPage.describe("Where expired links of the domain without an expiredUrl of their own go"),
  notFoundUrl: webPage.describe("Where unknown keys on the domain go"),
  archived: z.boolean().optional(),
  placeholder: webPage.describe(
    `Where the domain's root (/) goes; Dub's default "https://dub.co/help/article/what-is-dub" is kept but not followed`,
  ),
  logo,
  assetLinks: notServed("/.well-known/assetlinks.json"),
  appleAppSiteAssociation: notServed("/.well-known/apple-app-site-association"),
});

export const domainPatchBody = domainBody
  .partial()
  .describe("A new slug renames the domain and moves its links");

export const domainSlug = z.object({ slug: z.string() });

export const domainListQuery = z.object({
  archived: queryBoolean.optional().describe("Archived domains instead of the others (default false)"),
  search: z.string().optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(50).default(50),
});

/** One or more domains, comma-separated (`domains=a.com,b.com`) or repeated. */
export const domainStatusQuery = z.object({
  domains: z
    .union([z.string(), z.array(z.string())])
    .transform((value) => (Array.isArray(value) ? value : [value]).flatMap((part) => part.split(",")))
    .pipe(z.array(slug).min(1).max(50)),
});

export const registerDomainBody = z.object({ domain: slug });

export const domainSchema = z
  .object({
    id: z.string(),
    slug: z.string(),
    verified: z.boolean().describe("Always false: Clicktrail checks no DNS"),
    primary: z.boolean().describe("Always false: links without a domain get the server's default domain"),
    archived: z.boolean(),
    placeholder: z.string().nullable(),
    expiredUrl: z.string().nullable(),
    notFoundUrl: z.string().nullable(),
    logo: z.string().nullable(),
    assetLinks: z.null(),
    appleAppSiteAssociation: z.null(),
    createdAt: z.string(),
    updatedAt: z.string(),
    registeredDomain: z.null(),
  })
  .meta({ id: "Domain" });

export const domainStatusSchema = z
  .object({
    domain: z.string(),
    available: z.boolean().describe("Whether this workspace can add the domain on this server now"),
    premium: z.null(),
    prices: z.null(),
    price: z.null(),
  })
  .meta({ id: "DomainStatus" });
