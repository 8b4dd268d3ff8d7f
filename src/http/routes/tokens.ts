import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { ApiTokenService } from "../../domain/workspaces/api-tokens.js";
import { presentCreatedToken, presentToken } from "../../wire/token.js";
import { createdTokenSchema, tokenBody, tokenSchema, tokenUpdateBody } from "../schemas/tokens.js";

export type TokenRoutesOptions = { tokens: ApiTokenService };

const tags = ["API keys"];

/** The dashboard's key management: a signed-in owner only (an API key or a member gets 403). */
export const tokenRoutes: FastifyPluginAsyncZod<TokenRoutesOptions> = async (app, { tokens }) => {
  app.get(
    "/tokens",
    {
      config: { scope: "workspaces.write" },
      schema: { operationId: "listTokens", tags, response: { 200: z.array(tokenSchema) } },
    },
    async (request) => (await tokens.list(request.principal)).map(presentToken),
  );

  app.post(
    "/tokens",
    {
      config: { scope: "workspaces.write" },
      schema: { operationId: "createToken", tags, body: tokenBody, response: { 200: createdTokenSchema } },
    },
    async (request) => presentCreatedToken(await tokens.create(request.principal, request.body)),
  );

  app.patch(
    "/tokens/:tokenId",
    {
      config: { scope: "workspaces.write" },
      schema: {
        operationId: "updateToken",
        tags,
        params: z.object({ tokenId: z.string() }),
        body: tokenUpdateBody,
        response: { 200: tokenSchema },
      },
    },
    async (request) =>
      presentToken(await tokens.update(request.principal, request.params.tokenId, request.body)),
  );

  app.delete(
    "/tokens/:tokenId",
    {
      config: { scope: "workspaces.write" },
      schema: {
        operationId: "deleteToken",
        tags,
        params: z.object({ tokenId: z.string() }),
        response: { 200: z.object({ id: z.string() }) },
      },
    },
    async (request) => tokens.revoke(request.principal, request.params.tokenId),
  );
};
