import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { ClientClickService } from "../../domain/clicks/client-click-service.js";
import { DomainError } from "../../domain/errors.js";
import type { WorkspaceService } from "../../domain/workspaces/workspace-service.js";
import { presentTrackedClick } from "../../wire/track.js";
import { browserCors } from "../browser-cors.js";
import { publishableKeyOf } from "../publishable-auth.js";
import { clientAddress, countryHeader } from "../request-context.js";
import { trackClickBody, trackOpenBody, trackOpenResponse } from "../schemas/track.js";

export type ClientClickRoutesOptions = {
  clientClicks: ClientClickService;
  workspaces: WorkspaceService;
  trustProxy: boolean;
};

/** Public (a publishable key is optional and binds the click to its workspace), CORS, from allowed sites only. */
export const clientClickRoutes: FastifyPluginAsyncZod<ClientClickRoutesOptions> = async (app, options) => {
  app.options("/track/click", { onRequest: browserCors, schema: { hide: true } }, async (_request, reply) =>
    reply.code(204).send(),
  );

  app.post(
    "/track/click",
    {
      onRequest: browserCors,
      schema: {
        operationId: "trackClick",
        tags: ["Track"],
        security: [],
        body: trackClickBody,
        response: {
          200: z.object({ clickId: z.string().nullable() }),
        },
      },
    },
    async (request) => {
      const key = publishableKeyOf(request);
      const keyWorkspaceId = key
        ? (await options.workspaces.authenticatePublishable(key)).workspaceId
        : undefined;
      const clickId = await options.clientClicks.track({
        domain: request.body.domain,
        key: request.body.key,
        origin: request.headers.origin,
        pageReferer: request.headers.referer,
        keyWorkspaceId,
        ip: clientAddress(request.ip),
        userAgent: request.headers["user-agent"] ?? "",
        referer: request.body.referrer ?? undefined,
        countryHint: options.trustProxy ? countryHeader(request) : undefined,
      });
      return presentTrackedClick(clickId);
    },
  );

  app.options("/track/open", { onRequest: browserCors, schema: { hide: true } }, async (_request, reply) =>
    reply.code(204).send(),
  );

  app.post(
    "/track/open",
    {
      onRequest: browserCors,
      schema: {
        operationId: "trackOpen",
        tags: ["Track"],
        security: [],
        body: trackOpenBody,
        response: { 200: trackOpenResponse },
      },
    },
    async (request) => {
      const { deepLink } = request.body;
      if (deepLink === undefined) {
        throw new DomainError(
          "unprocessable_entity",
          "Deferred deep linking (dubDomain without deepLink) is not supported: send the deepLink the app was opened with.",
        );
      }
      return options.clientClicks.open({
        deepLink,
        ip: clientAddress(request.ip),
        userAgent: request.headers["user-agent"] ?? "",
        referer: undefined,
        countryHint: options.trustProxy ? countryHeader(request) : undefined,
      });
    },
  );
};
