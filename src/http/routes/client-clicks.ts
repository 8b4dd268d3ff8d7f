import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { ClientClickService } from "../../domain/clicks/client-click-service.js";
import { presentTrackedClick } from "../../wire/track.js";
import { clientAddress, countryHeader } from "../request-context.js";
import { trackClickBody } from "../schemas/track.js";

export type ClientClickRoutesOptions = { clientClicks: ClientClickService; trustProxy: boolean };

async function cors(request: FastifyRequest, reply: FastifyReply) {
  reply.header("Access-Control-Allow-Origin", request.headers.origin ?? "*");
  reply.header("Vary", "Origin");
  reply.header("Access-Control-Allow-Methods", "POST, OPTIONS");
  reply.header("Access-Control-Allow-Headers", "Content-Type");
  reply.header("Access-Control-Max-Age", "86400");
}

/** Public: no key, CORS, and only from host names the link's workspace allows. */
export const clientClickRoutes: FastifyPluginAsyncZod<ClientClickRoutesOptions> = async (app, options) => {
  app.options("/track/click", { onRequest: cors, schema: { hide: true } }, async (_request, reply) =>
    reply.code(204).send(),
  );

  app.post(
    "/track/click",
    {
      onRequest: cors,
      schema: {
        operationId: "trackClick",
        tags: ["Track"],
        security: [],
        body: trackClickBody,
        response: {
          200: z.object({ clickId: z.string().nullable(), partner: z.null(), discount: z.null() }),
        },
      },
    },
    async (request) => {
      const clickId = await options.clientClicks.track({
        domain: request.body.domain,
        key: request.body.key,
        origin: request.headers.origin,
        ip: clientAddress(request.ip),
        userAgent: request.headers["user-agent"] ?? "",
        referer: request.body.referrer ?? undefined,
        countryHint: options.trustProxy ? countryHeader(request) : undefined,
      });
      return presentTrackedClick(clickId);
    },
  );
};
