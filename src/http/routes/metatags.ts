import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { MetatagsService } from "../../domain/metatags/metatags-service.js";
import { metatagsQuery, metatagsSchema } from "../schemas/metatags.js";

export type MetatagsRoutesOptions = { metatags: MetatagsService };

/**
 * A page's title, description and image. Dub serves this without a key; here it takes one (with `links.read`), so
 * that the server fetches pages only for its own users.
 */
export const metatagsRoutes: FastifyPluginAsyncZod<MetatagsRoutesOptions> = async (app, { metatags }) => {
  app.get(
    "/metatags",
    {
      config: { scope: "links.read" },
      schema: {
        operationId: "getMetatags",
        tags: ["Metatags"],
        querystring: metatagsQuery,
        response: { 200: metatagsSchema },
      },
    },
    async (request) => metatags.get(request.query.url),
  );
};
