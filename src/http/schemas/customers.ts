import { z } from "zod";
import { CUSTOMER_SORTS } from "../../domain/customers/model.js";
import { queryBoolean } from "./common.js";

const optionalText = z.string().optional();

export const customerListQuery = z.object({
  email: optionalText,
  externalId: optionalText,
  search: optionalText,
  country: optionalText,
  linkId: optionalText,
  programId: optionalText.describe("No customer belongs to a partner program in Clicktrail"),
  partnerId: optionalText.describe("No customer belongs to a partner in Clicktrail"),
  includeExpandedFields: queryBoolean.optional(),
  sortBy: z.enum(CUSTOMER_SORTS).default("createdAt"),
  sortOrder: z.enum(["asc", "desc"]).default("desc"),
  startingAfter: optionalText,
  endingBefore: optionalText,
  page: z.coerce.number().int().min(1).optional(),
  pageSize: z.coerce.number().int().min(1).max(100).default(100),
});

export const customerIdParams = z.object({ id: z.string().min(1) });

export const customerGetQuery = z.object({ includeExpandedFields: queryBoolean.optional() });

export const customerPatchBody = z.object({
  name: z.string().trim().min(1).max(100).nullish().describe("null leaves the name as it is"),
  email: z.email().max(100).nullish(),
  avatar: z.string().max(2000).nullish(),
  externalId: z.string().trim().min(1).max(100).optional(),
  country: z.string().trim().length(2).toUpperCase().nullish(),
  stripeCustomerId: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .nullish()
    .describe("The Stripe customer (cus_…) whose invoices are this customer's sales; null unlinks it"),
});

const nullableString = z.string().nullable();

export const customerSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    email: nullableString,
    avatar: nullableString,
    externalId: z.string(),
    stripeCustomerId: z.string().nullable(),
    country: nullableString,
    sales: z.number(),
    saleAmount: z.number().describe("USD cents"),
    createdAt: z.string(),
    firstSaleAt: nullableString,
    subscriptionCanceledAt: z.null(),
  })
  .meta({ id: "Customer" });

export const expandedCustomerSchema = customerSchema
  .extend({
    link: z
      .object({
        id: z.string(),
        domain: z.string(),
        key: z.string(),
        shortLink: z.string(),
        url: z.string(),
        programId: z.null(),
      })
      .nullable(),
    programId: z.null(),
    partner: z.null(),
    discount: z.null(),
  })
  .meta({ id: "ExpandedCustomer" });

export const customerResponse = z.union([expandedCustomerSchema, customerSchema]);
