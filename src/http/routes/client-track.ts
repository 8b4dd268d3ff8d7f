import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { LeadService } from "../../domain/conversions/lead-service.js";
import type { SaleService } from "../../domain/conversions/sale-service.js";
import type { RateLimiter } from "../../domain/workspaces/ports.js";
import type { WorkspaceService } from "../../domain/workspaces/workspace-service.js";
import { presentTrackedLead } from "../../wire/track.js";
import { browserCors } from "../browser-cors.js";
import { authenticatePublishable } from "../publishable-auth.js";
import { trackLeadBody, trackLeadResponse, trackSaleBody, trackSaleResponse } from "../schemas/track.js";

export type ClientTrackRoutesOptions = {
  leads: LeadService;
  sales: SaleService;
  workspaces: WorkspaceService;
  rateLimiter: RateLimiter;
  protocol: string;
};

const tags = ["Track"];

/** Dub's client-side conversions: a web page tracks leads and sales with a publishable key (`dub_pk_…`). */
export const clientTrackRoutes: FastifyPluginAsyncZod<ClientTrackRoutesOptions> = async (app, options) => {
  const onRequest = [browserCors, authenticatePublishable(options.workspaces, options.rateLimiter)];
  for (const path of ["/track/lead/client", "/track/sale/client"]) {
    app.options(path, { onRequest: browserCors, schema: { hide: true } }, async (_request, reply) =>
      reply.code(204).send(),
    );
  }

  app.post(
    "/track/lead/client",
    {
      onRequest,
      schema: {
        operationId: "trackLeadClient",
        tags,
        body: trackLeadBody,
        response: { 200: trackLeadResponse },
      },
    },
    async (request) =>
      presentTrackedLead(
        await options.leads.track(request.principal, request.body),
        options.protocol,
        "current",
      ),
  );

  app.post(
    "/track/sale/client",
    {
      onRequest,
      schema: {
        operationId: "trackSaleClient",
        tags,
        body: trackSaleBody,
        response: { 200: trackSaleResponse },
      },
    },
    async (request, reply) => {
      const receipt = await options.sales.track(request.principal, request.body);
      return reply.type("application/json; charset=utf-8").send(receipt as never);
    },
  );
};
