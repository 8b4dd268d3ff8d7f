import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { FolderService } from "../../domain/folders/folder-service.js";
import { presentFolder } from "../../wire/folder.js";
import {
  folderBody,
  folderListQuery,
  folderPatchBody,
  folderSchema,
  folderUserBody,
  folderUserSchema,
} from "../schemas/folders.js";

export type FolderRoutesOptions = { folders: FolderService };

const tags = ["Folders"];
const id = z.object({ id: z.string() });

export const folderRoutes: FastifyPluginAsyncZod<FolderRoutesOptions> = async (app, { folders }) => {
  app.post(
    "/folders",
    {
      config: { scope: "folders.write" },
      schema: { operationId: "createFolder", tags, body: folderBody, response: { 201: folderSchema } },
    },
    async (request, reply) => {
      const { name, description, accessLevel } = request.body;
      const folder = await folders.create(request.principal, {
        name,
        description: description ?? null,
        accessLevel,
      });
      return reply.code(201).send(presentFolder(folder));
    },
  );

  app.get(
    "/folders",
    {
      config: { scope: "folders.read" },
      schema: {
        operationId: "listFolders",
        tags,
        querystring: folderListQuery,
        response: { 200: z.array(folderSchema) },
      },
    },
    async (request) => (await folders.list(request.principal, request.query)).map(presentFolder),
  );

  app.get(
    "/folders/:id",
    {
      config: { scope: "folders.read" },
      schema: { operationId: "getFolder", tags, params: id, response: { 200: folderSchema } },
    },
    async (request) => presentFolder(await folders.get(request.principal, request.params.id)),
  );

  app.patch(
    "/folders/:id",
    {
      config: { scope: "folders.write" },
      schema: {
        operationId: "updateFolder",
        tags,
        params: id,
        body: folderPatchBody,
        response: { 200: folderSchema },
      },
    },
    async (request) =>
      presentFolder(await folders.update(request.principal, request.params.id, request.body)),
  );

  app.patch(
    "/folders/:id/users",
    {
      config: { scope: "folders.write" },
      schema: {
        operationId: "setFolderUserRole",
        tags,
        description:
          "Gives a member their own role on the folder (owner, editor, viewer), or with null takes it away.",
        params: id,
        body: folderUserBody,
        response: { 200: folderUserSchema },
      },
    },
    async (request) =>
      folders.setUserRole(request.principal, request.params.id, request.body.userId, request.body.role),
  );

  app.delete(
    "/folders/:id",
    {
      config: { scope: "folders.write" },
      schema: {
        operationId: "deleteFolder",
        tags,
        params: id,
        response: { 200: z.object({ id: z.string() }) },
      },
    },
    async (request) => folders.delete(request.principal, request.params.id),
  );
};
