import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { unprocessable } from "../../domain/errors.js";
import type { IntegrationService } from "../../domain/integrations/integration-service.js";
import { presentIntegration, presentIntegrationEvent } from "../../wire/integration.js";
import {
  integrationBody,
  integrationEventSchema,
  integrationEventsQuery,
  integrationSchema,
  processorParams,
} from "../schemas/integrations.js";

export type IntegrationRoutesOptions = { integrations: IntegrationService };

const tags = ["Integrations"];

/** Clicktrail's own: the payment processors' signing secrets and the events they sent (not in Dub's API). */
export const integrationRoutes: FastifyPluginAsyncZod<IntegrationRoutesOptions> = async (
  app,
  { integrations },
) => {
  const origin = (request: { protocol: string; host: string }) => `${request.protocol}://${request.host}`;

  app.get(
    "/integrations",
    {
      config: { scope: "webhooks.read" },
      schema: { operationId: "listIntegrations", tags, response: { 200: z.array(integrationSchema) } },
    },
    async (request) =>
      (await integrations.list(request.principal)).map((item) => presentIntegration(item, origin(request))),
  );

  app.put(
    "/integrations/:processor",
    {
      config: { scope: "webhooks.write" },
      schema: {
        operationId: "setIntegration",
        tags,
        params: processorParams,
        body: integrationBody,
        response: { 200: integrationSchema },
      },
    },
    async (request) =>
      presentIntegration(
        await integrations.configure(request.principal, request.params.processor, request.body),
        origin(request),
      ),
  );

  app.delete(
    "/integrations/:processor",
    {
      config: { scope: "webhooks.write" },
      schema: {
        operationId: "removeIntegration",
        tags,
        params: processorParams,
        response: { 200: z.object({ processor: z.string(), removed: z.literal(true) }) },
      },
    },
    async (request) => {
      await integrations.remove(request.principal, request.params.processor);
      return { processor: request.params.processor, removed: true as const };
    },
  );

  app.get(
    "/integrations/events",
    {
      config: { scope: "webhooks.read" },
      schema: {
        operationId: "listIntegrationEvents",
        tags,
        querystring: integrationEventsQuery,
        response: { 200: z.array(integrationEventSchema) },
      },
    },
    async (request) => {
      const { processor, status, limit, before } = request.query;
      return (
        await integrations.events(request.principal, { processor, status, limit, before: cursor(before) })
      ).map(presentIntegrationEvent);
    },
  );

  app.get(
    "/integrations/:processor/events/:eventId",
    {
      config: { scope: "webhooks.read" },
      schema: {
        operationId: "getIntegrationEvent",
        tags,
        params: processorParams.extend({ eventId: z.string() }),
        response: { 200: integrationEventSchema },
      },
    },
    async (request) =>
      presentIntegrationEvent(
        await integrations.event(request.principal, request.params.processor, request.params.eventId),
      ),
  );
};

function cursor(value: string | undefined) {
  if (value === undefined) return undefined;
  const dot = value.indexOf(".");
  const receivedAt = Number(value.slice(0, dot));
  if (dot < 1 || !Number.isSafeInteger(receivedAt)) throw unprocessable("before: not a cursor of this list");
  return { receivedAt, eventId: value.slice(dot + 1) };
}
