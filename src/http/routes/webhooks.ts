import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { WebhookService } from "../../domain/webhooks/webhook-service.js";
import { presentWebhook, presentWebhookMessage } from "../../wire/webhook.js";
import {
  webhookBody,
  webhookEventSchema,
  webhookEventsQuery,
  webhookPatchBody,
  webhookSchema,
  webhookTestBody,
} from "../schemas/webhooks.js";

export type WebhookRoutesOptions = { webhooks: WebhookService };

const tags = ["Webhooks"];
const webhookId = z.object({ webhookId: z.string() });
export const webhookRoutes: FastifyPluginAsyncZod<WebhookRoutesOptions> = async (app, { webhooks }) => {
  app.post(
    "/webhooks",
    {
      config: { scope: "webhooks.write" },
      schema: { operationId: "createWebhook", tags, body: webhookBody, response: { 200: webhookSchema } },
    },
    async (request) => presentWebhook(await webhooks.create(request.principal, request.body), true),
  );

  app.get(
    "/webhooks",
    {
      config: { scope: "webhooks.read" },
      schema: { operationId: "listWebhooks", tags, response: { 200: z.array(webhookSchema) } },
    },
    async (request) => (await webhooks.list(request.principal)).map((webhook) => presentWebhook(webhook)),
  );

  app.get(
    "/webhooks/:webhookId",
    {
      config: { scope: "webhooks.read" },
      schema: { operationId: "getWebhook", tags, params: webhookId, response: { 200: webhookSchema } },
    },
    async (request) => presentWebhook(await webhooks.get(request.principal, request.params.webhookId)),
  );

  app.patch(
    "/webhooks/:webhookId",
    {
      config: { scope: "webhooks.write" },
      schema: {
        operationId: "updateWebhook",
        tags,
        params: webhookId,
        body: webhookPatchBody,
        response: { 200: webhookSchema },
      },
    },
    async (request) =>
      presentWebhook(
        await webhooks.update(request.principal, request.params.webhookId, request.body),
        request.body.secret !== undefined,
      ),
  );

  app.delete(
    "/webhooks/:webhookId",
    {
      config: { scope: "webhooks.write" },
      schema: {
        operationId: "deleteWebhook",
        tags,
        params: webhookId,
        response: { 200: z.object({ id: z.string() }) },
      },
    },
    async (request) => webhooks.delete(request.principal, request.params.webhookId),
  );

  app.get(
    "/webhooks/:webhookId/events",
    {
      config: { scope: "webhooks.read" },
      schema: {
        operationId: "listWebhookEvents",
        tags,
        params: webhookId,
        querystring: webhookEventsQuery,
        response: { 200: z.array(webhookEventSchema) },
      },
    },
    async (request) =>
      (await webhooks.events(request.principal, request.params.webhookId, request.query)).map(
        presentWebhookMessage,
      ),
  );

  app.post(
    "/webhooks/:webhookId/events/:eventId/retry",
    {
      config: { scope: "webhooks.write" },
      schema: {
        operationId: "retryWebhookEvent",
        tags,
        params: z.object({ webhookId: z.string(), eventId: z.string() }),
        response: { 200: z.object({ eventId: z.string(), status: z.literal("pending") }) },
      },
    },
    async (request) => {
      await webhooks.retry(request.principal, request.params.webhookId, request.params.eventId);
      return { eventId: request.params.eventId, status: "pending" as const };
    },
  );

  app.post(
    "/webhooks/:webhookId/test",
    {
      config: { scope: "webhooks.write" },
      schema: {
        operationId: "sendWebhookTestEvent",
        tags,
        description:
          "Queues a signed sample event for this webhook alone; it is delivered, retried and logged like any other.",
        params: webhookId,
        body: webhookTestBody,
        response: { 200: z.object({ eventId: z.string(), event: z.string(), status: z.literal("pending") }) },
      },
    },
    async (request) => ({
      ...(await webhooks.queueTest(request.principal, request.params.webhookId, request.body.trigger)),
      status: "pending" as const,
    }),
  );
};
