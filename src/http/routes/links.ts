import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { notFound } from "../../domain/errors.js";
import type { LinkService } from "../../domain/links/link-service.js";
import type { Link } from "../../domain/links/model.js";
import { presentLink } from "../../wire/link.js";
import {
  linkBody,
  linkInfoQuery,
  linkListQuery,
  linkPatchBody,
  linkSchema,
  toLinkFilter,
  toLinkInput,
} from "../schemas/links.js";
import { sdkGeneration } from "../sdk-generation.js";

export type LinkRoutesOptions = { links: LinkService; protocol: string };

const tags = ["Links"];
const linkId = z.object({ linkId: z.string() });

export const linkRoutes: FastifyPluginAsyncZod<LinkRoutesOptions> = async (app, { links, protocol }) => {
  /** Links as the calling SDK generation decodes them. */
  const presenter = (request: FastifyRequest) => (link: Link) =>
    presentLink(link, protocol, sdkGeneration(request));

  app.post(
    "/links",
    {
      config: { scope: "links.write" },
      schema: { operationId: "createLink", tags, body: linkBody, response: { 200: linkSchema } },
    },
    async (request) => {
      const body = request.body;
      return presenter(request)(
        await links.create(request.principal, { ...toLinkInput(body), url: body.url }),
      );
    },
  );

  app.get(
    "/links",
    {
      config: { scope: "links.read" },
      schema: {
        operationId: "getLinks",
        tags,
        querystring: linkListQuery,
        response: { 200: z.array(linkSchema) },
      },
    },
    async (request) =>
      (await links.list(request.principal, toLinkFilter(request.query))).map(presenter(request)),
  );

  app.get(
    "/links/info",
    {
      config: { scope: "links.read" },
      schema: { operationId: "getLinkInfo", tags, querystring: linkInfoQuery, response: { 200: linkSchema } },
    },
    async (request) => presenter(request)(await links.info(request.principal, request.query)),
  );

  app.put(
    "/links/upsert",
    {
      config: { scope: "links.write" },
      schema: { operationId: "upsertLink", tags, body: linkBody, response: { 200: linkSchema } },
    },
    async (request) =>
      presenter(request)(
        await links.upsert(request.principal, { ...toLinkInput(request.body), url: request.body.url }),
      ),
  );

  // Dub's other /links/… routes, not built yet: without these, /links/:linkId would answer "Link not found".
  for (const path of ["count", "bulk", "random", "metatags", "sharing"]) {
    app.all(`/links/${path}`, { schema: { hide: true } }, async (request) => {
      throw notFound(`No route ${request.method} /links/${path}.`);
    });
  }

  app.get(
    "/links/:linkId",
    {
      config: { scope: "links.read" },
      schema: { operationId: "getLink", tags, params: linkId, response: { 200: linkSchema } },
    },
    async (request) => presenter(request)(await links.get(request.principal, request.params.linkId)),
  );

  app.patch(
    "/links/:linkId",
    {
      config: { scope: "links.write" },
      schema: {
        operationId: "updateLink",
        tags,
        params: linkId,
        body: linkPatchBody,
        response: { 200: linkSchema },
      },
    },
    async (request) =>
      presenter(request)(
        await links.update(request.principal, request.params.linkId, toLinkInput(request.body)),
      ),
  );

  app.delete(
    "/links/:linkId",
    {
      config: { scope: "links.write" },
      schema: {
        operationId: "deleteLink",
        tags,
        params: linkId,
        response: { 200: z.object({ id: z.string() }) },
      },
    },
    async (request) => links.delete(request.principal, request.params.linkId),
  );
};
