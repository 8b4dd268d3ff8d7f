import type { FastifyPluginAsync } from "fastify";
import { notFound } from "../../domain/errors.js";
import type { IntegrationService } from "../../domain/integrations/integration-service.js";
import { isProcessor } from "../../domain/integrations/model.js";

export type IntegrationWebhookOptions = { integrations: IntegrationService };

/** Processors sign bodies of a few KB; a Shopify order with many lines stays well under this. */
const BODY_LIMIT = 1024 * 1024;

/**
 * `POST /integrations/{processor}/{workspaceId}`: where Stripe, Shopify and Paddle deliver. The body is kept as
 * the bytes that were signed. 200 once the event is stored (or was already: a redelivery); 401 for a signature
 * no secret of the workspace made, 404 for a workspace without that integration.
 */
export const integrationWebhookRoutes: FastifyPluginAsync<IntegrationWebhookOptions> = async (
  app,
  { integrations },
) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: BODY_LIMIT }, (_request, body, done) =>
    done(null, body),
  );
  app.post<{ Params: { processor: string; workspaceId: string } }>(
    "/integrations/:processor/:workspaceId",
    { schema: { hide: true } },
    async (request) => {
      const { processor, workspaceId } = request.params;
      if (!isProcessor(processor)) throw notFound(`No integration for ${processor}.`);
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const { eventId, duplicate } = await integrations.receive(processor, workspaceId, {
        body,
        headers: request.headers,
      });
      return { received: true, eventId, duplicate };
    },
  );
};
