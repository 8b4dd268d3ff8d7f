import { z } from "zod";
import { WEBHOOK_TRIGGERS } from "../../domain/webhooks/model.js";

const url = z
  .string()
  .trim()
  .max(2000)
  .refine(
    (value) => {
      try {
        return ["http:", "https:"].includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { error: "must be an http:// or https:// URL" },
  );

export const webhookBody = z.object({
  name: z.string().trim().min(1).max(190),
  url,
  secret: z.string().min(16).max(200).optional().describe("Generated (whsec_…) when not given"),
  triggers: z.array(z.enum(WEBHOOK_TRIGGERS)).min(1),
  linkIds: z
    .array(z.string())
    .max(1000)
    .nullish()
    .describe("Only events of these links; all links when empty"),
  disabled: z.boolean().optional(),
});

export const webhookPatchBody = webhookBody.partial();

export const webhookSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    url: z.string(),
    secret: z.string().nullable().describe("Only in the response that created the webhook"),
    triggers: z.array(z.enum(WEBHOOK_TRIGGERS)),
    linkIds: z.array(z.string()),
    disabled: z.boolean(),
    disabledAt: z.string().nullable(),
    disabledReason: z.string().nullable(),
    consecutiveFailures: z.number(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "Webhook" });

export const webhookEventsQuery = z.object({
  status: z.enum(["pending", "delivered", "failed"]).optional(),
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const webhookEventSchema = z
  .object({
    eventId: z.string(),
    event: z.enum(WEBHOOK_TRIGGERS),
    status: z.enum(["pending", "delivered", "failed"]),
    attempts: z.number(),
    nextAttemptAt: z.string().nullable(),
    createdAt: z.string(),
    deliveredAt: z.string().nullable(),
    lastError: z.string().nullable(),
    payload: z.unknown(),
    attemptLog: z.array(
      z.object({
        attemptedAt: z.string(),
        statusCode: z.number().nullable(),
        latencyMs: z.number(),
        error: z.string().nullable(),
        responseExcerpt: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: "WebhookEvent" });

export const webhookTestBody = z.object({
  trigger: z
    .enum(WEBHOOK_TRIGGERS)
    .optional()
    .describe("The sample event's trigger; the webhook's first trigger when not given"),
});
