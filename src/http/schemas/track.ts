import { z } from "zod";
import { isCurrencyCode } from "../../domain/conversions/currency.js";
import { PAYMENT_PROCESSORS } from "../../domain/conversions/model.js";
import { DUB_MESSAGE } from "./common.js";

const METADATA_LIMIT = 10_000;

const metadata = z
  .record(z.string(), z.unknown())
  .nullish()
  .refine((value) => value == null || JSON.stringify(value).length <= METADATA_LIMIT, {
    error: "Metadata must be less than 10,000 characters when stringified",
  });

/** Dub leaves these uncapped; a customer's external id is an identifier, not a document. */
const EXTERNAL_ID_LIMIT = 255;
const externalId = z.string().trim().max(EXTERNAL_ID_LIMIT).nullish();

const customerIds = {
  customerExternalId: externalId,
  externalId: externalId.describe("Deprecated name of customerExternalId"),
  customerId: externalId.describe("Deprecated name of customerExternalId"),
};

const customerDetails = {
  customerName: z.string().max(100).nullish(),
  customerEmail: z.email().max(100).nullish(),
  customerAvatar: z.string().max(2000).nullish(),
};

/** Click ids are 16 characters; the cap only keeps an unbounded string out of lookups, messages and rows. */
const clickId = z.string().trim().max(255).nullish();

export const trackLeadBody = z.object({
  clickId,
  eventName: z
    .string({ error: "eventName is required" })
    .trim()
    .min(1, { error: "eventName is required" })
    .max(255),
  ...customerIds,
  ...customerDetails,
  mode: z.enum(["async", "wait", "deferred"]).default("async"),
  eventQuantity: z.number().int().positive().max(100).nullish(),
  metadata,
});

export const trackSaleBody = z.object({
  ...customerIds,
  amount: z.number({ error: "amount is required" }).int().min(0, { error: "amount cannot be negative" }),
  currency: z
    .string()
    .trim()
    .toLowerCase()
    .default("usd")
    .refine(isCurrencyCode, {
      error: (issue) => `${JSON.stringify(issue.input)} is not an ISO 4217 currency code`,
    }),
  eventName: z.string().max(255).default("Purchase"),
  paymentProcessor: z.enum(PAYMENT_PROCESSORS).default("custom"),
  invoiceId: z.string().trim().max(190).nullish(),
  metadata,
  leadEventName: z.string().max(255).nullish(),
  clickId,
  ...customerDetails,
});

export const trackCustomerBody = z.object({
  ...customerIds,
  customerId: z.string().trim().min(1).max(100).nullish(),
  ...customerDetails,
});

/** A field Dub requires, refused in its words when it is missing: `<field> is required.`. */
const requiredString = (field: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? `${field} is required.` : undefined) });

export const trackClickBody = z.object({
  domain: requiredString("domain").trim().toLowerCase().min(1).max(190),
  key: requiredString("key").trim().min(1).max(190),
  // As long as a link's destination may be; the referrer is stored with the click.
  url: z.string().max(32_000).nullish(),
  referrer: z.string().max(32_000).nullish(),
});

/** Dub's POST /track/open: the short link an app was opened with, or (deferred deep linking) its domain alone. */
export const trackOpenBody = z
  .object({
    deepLink: z
      .url({ protocol: /^https?$/, error: "Invalid URL" })
      .max(32_000)
      .optional(),
    dubDomain: z.string().max(190).optional(),
  })
  .refine((body) => body.deepLink !== undefined || body.dubDomain !== undefined, {
    error: "You need to provide either `deepLink` or `dubDomain` for deferred deep linking.",
    params: DUB_MESSAGE,
  });

export const trackOpenResponse = z.object({
  clickId: z.string().nullable(),
  link: z.object({ id: z.string(), domain: z.string(), key: z.string(), url: z.string() }),
});

const trackCustomer = z.object({
  id: z.string(),
  externalId: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  avatar: z.string().nullable(),
});

const leadCustomer = trackCustomer.extend({
  id: z.string().optional().describe("Only for the 2024 Go SDK (dub-go up to 0.13), which reads it"),
});

export const trackLeadResponse = z
  .object({
    click: z.object({ id: z.string() }),
    link: z
      .object({
        id: z.string(),
        domain: z.string(),
        key: z.string(),
        shortLink: z.string(),
        url: z.string(),
        partnerId: z.null(),
        programId: z.null(),
        tenantId: z.string().nullable(),
        externalId: z.string().nullable(),
      })
      .nullable(),
    customer: leadCustomer,
  })
  .meta({ id: "TrackLeadResponse" });

export const trackSaleResponse = z
  .object({
    eventName: z.string(),
    customer: trackCustomer.nullable(),
    sale: z
      .object({
        amount: z.number(),
        currency: z.string(),
        paymentProcessor: z.string(),
        invoiceId: z.string().nullable(),
        metadata: z.record(z.string(), z.unknown()).nullable(),
        originalAmount: z
          .number()
          .int()
          .optional()
          .describe("Only when a rate converted the sale to USD: the amount as sent, in minor units"),
        originalCurrency: z
          .string()
          .optional()
          .describe("Only when a rate converted the sale to USD: the currency it was sent in"),
      })
      .nullable(),
  })
  .meta({ id: "TrackSaleResponse" });

export const trackCustomerResponse = z.object({
  customerId: z.string(),
  customerName: z.string().nullable(),
  customerEmail: z.string().nullable(),
  customerAvatar: z.string().nullable(),
  ...trackCustomer.shape,
});
