import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { WorkspaceService } from "../../domain/workspaces/workspace-service.js";
import { presentWorkspace } from "../../wire/workspace.js";
import { workspaceParams, workspacePatchBody, workspaceSchema } from "../schemas/workspaces.js";

export type WorkspaceRoutesOptions = { workspaces: WorkspaceService };

const tags = ["Workspaces"];

/** A key's own workspace, by id or slug; any other workspace is a 404, as in Dub. */
export const workspaceRoutes: FastifyPluginAsyncZod<WorkspaceRoutesOptions> = async (app, { workspaces }) => {
  app.get(
    "/workspaces/:idOrSlug",
    {
      config: { scope: "workspaces.read" },
      schema: {
        operationId: "getWorkspace",
        tags,
        params: workspaceParams,
        response: { 200: workspaceSchema },
      },
    },
    async (request) => presentWorkspace(await workspaces.view(request.principal, request.params.idOrSlug)),
  );

  app.patch(
    "/workspaces/:idOrSlug",
    {
      config: { scope: "workspaces.write" },
      schema: {
        operationId: "updateWorkspace",
        tags,
        params: workspaceParams,
        body: workspacePatchBody,
        response: { 200: workspaceSchema },
      },
    },
    async (request) => {
      const { name, slug, allowedHostnames } = request.body;
      return presentWorkspace(
        await workspaces.update(request.principal, request.params.idOrSlug, { name, slug, allowedHostnames }),
      );
    },
  );
};
