import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { notFound, unprocessable } from "../../domain/errors.js";
import type { BulkLinkService } from "../../domain/links/bulk-links.js";
import type { LinkService } from "../../domain/links/link-service.js";
import type { Link } from "../../domain/links/model.js";
import { presentLink, presentLinkError } from "../../wire/link.js";
import {
  keyOptions,
  linkBody,
  linkBulkCreateBody,
  linkBulkDeleteQuery,
  linkBulkUpdateBody,
  linkCountQuery,
  linkCountSchema,
  linkErrorSchema,
  linkInfoQuery,
  linkListQuery,
  linkPatchBody,
  linkSchema,
  toBulkItem,
  toLinkFilter,
  toLinkInput,
  withoutSeedDefaults,
} from "../schemas/links.js";
import { sdkGeneration } from "../sdk-generation.js";

export type LinkRoutesOptions = { links: LinkService; bulkLinks: BulkLinkService; protocol: string };

const tags = ["Links"];
const linkId = z.object({ linkId: z.string() });

/** Leaves the body as sent: a bulk create reads each item on its own, so one bad item cannot refuse the rest. */
const bodyAsSent = () => (data: unknown) => ({ value: data });

export const linkRoutes: FastifyPluginAsyncZod<LinkRoutesOptions> = async (
  app,
  { links, bulkLinks, protocol },
) => {
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
        await links.create(request.principal, { ...toLinkInput(body), url: body.url, ...keyOptions(body) }),
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
        await links.upsert(request.principal, {
          ...toLinkInput(request.body),
          url: request.body.url,
          ...keyOptions(request.body),
        }),
      ),
  );

  app.get(
    "/links/count",
    {
      config: { scope: "links.read" },
      schema: {
        operationId: "getLinksCount",
        tags,
        querystring: linkCountQuery,
        response: { 200: linkCountSchema },
      },
    },
    async (request) => {
      const { groupBy, ...query } = request.query;
      const conditions = toLinkFilter(query);
      if (groupBy === undefined) return bulkLinks.count(request.principal, conditions);
      const counts = await bulkLinks.count(request.principal, conditions, groupBy);
      return counts.map(({ value, count }) => ({ [groupBy]: value, _count: count }));
    },
  );

  app.post(
    "/links/bulk",
    {
      config: { scope: "links.write" },
      validatorCompiler: bodyAsSent,
      schema: {
        operationId: "bulkCreateLinks",
        tags,
        body: linkBulkCreateBody,
        response: { 200: z.array(z.union([linkSchema, linkErrorSchema])) },
      },
    },
    async (request) => {
      const body: unknown = request.body;
      if (!Array.isArray(body)) throw unprocessable("invalid_type: expected an array of links");
      const results = await bulkLinks.createMany(request.principal, body.map(toBulkItem));
      const present = presenter(request);
      return results.map((result) =>
        "error" in result ? presentLinkError(result.input, result.error) : present(result.link),
      );
    },
  );

  app.patch(
    "/links/bulk",
    {
      config: { scope: "links.write" },
      schema: {
        operationId: "bulkUpdateLinks",
        tags,
        body: linkBulkUpdateBody,
        response: { 200: z.array(z.union([linkSchema, linkErrorSchema])) },
      },
    },
    async (request) => {
      const { linkIds, externalIds, data } = request.body;
      const input = toLinkInput(withoutSeedDefaults(data, sdkGeneration(request)));
      const results = await bulkLinks.updateMany(request.principal, { linkIds, externalIds }, input);
      const present = presenter(request);
      return results.map((result) =>
        "error" in result ? presentLinkError(present(result.link), result.error) : present(result.link),
      );
    },
  );

  app.delete(
    "/links/bulk",
    {
      config: { scope: "links.write" },
      schema: {
        operationId: "bulkDeleteLinks",
        tags,
        querystring: linkBulkDeleteQuery,
        response: { 200: z.object({ deletedCount: z.number().int() }) },
      },
    },
    async (request) => bulkLinks.deleteMany(request.principal, request.query.linkIds),
  );

  // Dub's other /links/… routes, not built yet: without these, /links/:linkId would answer "Link not found".
  for (const path of ["random", "metatags", "sharing"]) {
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

  // PUT is Dub's older verb for the same update.
  for (const [method, operationId, legacy] of [
    ["PATCH", "updateLink", {}],
    [
      "PUT",
      "updateLinkPut",
      { deprecated: true, description: "PATCH /links/{linkId} under Dub's older verb" },
    ],
  ] as const) {
    app.route({
      method,
      url: "/links/:linkId",
      config: { scope: "links.write" },
      schema: {
        operationId,
        tags,
        params: linkId,
        body: linkPatchBody,
        response: { 200: linkSchema },
        ...legacy,
      },
      handler: async (request) =>
        presenter(request)(
          await links.update(
            request.principal,
            request.params.linkId,
            toLinkInput(withoutSeedDefaults(request.body, sdkGeneration(request))),
          ),
        ),
    });
  }

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
