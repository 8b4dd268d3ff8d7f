import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { TagService } from "../../domain/tags/tag-service.js";
import { presentTag } from "../../wire/tag.js";
import { tagBody, tagListQuery, tagPatchBody, tagSchema } from "../schemas/tags.js";
import { sdkGeneration } from "../sdk-generation.js";

export type TagRoutesOptions = { tags: TagService };

const tags = ["Tags"];
const id = z.object({ id: z.string() });

export const tagRoutes: FastifyPluginAsyncZod<TagRoutesOptions> = async (app, { tags: service }) => {
  app.post(
    "/tags",
    {
      config: { scope: "tags.write" },
      schema: { operationId: "createTag", tags, body: tagBody, response: { 201: tagSchema } },
    },
    async (request, reply) => {
      const { name, tag, color } = request.body;
      const created = await service.create(request.principal, { name: name ?? tag ?? "", color });
      return reply.code(201).send(presentTag(created, sdkGeneration(request)));
    },
  );

  app.get(
    "/tags",
    {
      config: { scope: "tags.read" },
      schema: {
        operationId: "getTags",
        tags,
        querystring: tagListQuery,
        response: { 200: z.array(tagSchema) },
      },
    },
    async (request) =>
      (await service.list(request.principal, request.query)).map((tag) =>
        presentTag(tag, sdkGeneration(request)),
      ),
  );

  app.patch(
    "/tags/:id",
    {
      config: { scope: "tags.write" },
      schema: {
        operationId: "updateTag",
        tags,
        params: id,
        body: tagPatchBody,
        response: { 200: tagSchema },
      },
    },
    async (request) => {
      const { name, tag, color } = request.body;
      const updated = await service.update(request.principal, request.params.id, {
        name: name ?? tag,
        color,
      });
      return presentTag(updated, sdkGeneration(request));
    },
  );

  app.delete(
    "/tags/:id",
    {
      config: { scope: "tags.write" },
      schema: { operationId: "deleteTag", tags, params: id, response: { 200: z.object({ id: z.string() }) } },
    },
    async (request) => service.delete(request.principal, request.params.id),
  );
};
