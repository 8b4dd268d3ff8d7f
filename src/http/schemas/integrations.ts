import { z } from "zod";
import { MAX_PREVIOUS_SECRET_SECONDS } from "../../domain/integrations/integration-service.js";
import { EVENT_STATUSES, PROCESSORS } from "../../domain/integrations/model.js";

export const processorParams = z.object({ processor: z.enum(PROCESSORS) });

export const integrationBody = z.object({
  secret: z.string().describe("The processor's signing secret for this endpoint (Stripe: whsec_…)"),
  keepPreviousSecretSeconds: z
    .number()
    .int()
    .min(0)
    .max(MAX_PREVIOUS_SECRET_SECONDS)
    .optional()
    .describe("Keep accepting the secret this one replaces for so long (rotation); 0 by default"),
});

export const integrationSchema = z.object({
  processor: z.enum(PROCESSORS),
  webhookUrl: z.string().describe("Where the processor sends its events"),
  secretFingerprint: z.string().describe("The first 12 hex digits of the secret's SHA-256; never the secret"),
  previousSecretAcceptedUntil: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const integrationEventsQuery = z.object({
  processor: z.enum(PROCESSORS).optional(),
  status: z.enum(EVENT_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  before: z
    .string()
    .optional()
    .describe("The `cursor` of the last event of the previous page: events received before it"),
});

export const integrationEventSchema = z.object({
  processor: z.enum(PROCESSORS),
  eventId: z.string(),
  type: z.string(),
  livemode: z.boolean(),
  receivedAt: z.string(),
  status: z.enum(EVENT_STATUSES),
  reason: z.string().nullable(),
  saleEventId: z.string().nullable(),
  refundId: z.string().nullable(),
  customerId: z.string().nullable(),
  invoiceId: z.string().nullable(),
  attempts: z.number(),
  processedAt: z.string().nullable(),
  cursor: z.string().describe("Pass as `before` for the next page"),
});
