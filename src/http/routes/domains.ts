import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { DomainService } from "../../domain/domains/domain-service.js";
import { presentDomain, presentDomainStatus } from "../../wire/domain.js";
import {
  domainBody,
  domainListQuery,
  domainPatchBody,
  domainSchema,
  domainSlug,
  domainStatusQuery,
  domainStatusSchema,
  registerDomainBody,
} from "../schemas/domains.js";
import { errorSchema } from "../schemas/errors.js";

export type DomainRoutesOptions = { domains: DomainService };

const tags = ["Domains"];

export const domainRoutes: FastifyPluginAsyncZod<DomainRoutesOptions> = async (app, { domains }) => {
  app.post(
    "/domains",
    {
      config: { scope: "domains.write" },
      schema: { operationId: "createDomain", tags, body: domainBody, response: { 201: domainSchema } },
    },
    async (request, reply) =>
      reply.code(201).send(presentDomain(await domains.create(request.principal, request.body))),
  );

  app.get(
    "/domains",
    {
      config: { scope: "domains.read" },
      schema: {
        operationId: "listDomains",
        tags,
        querystring: domainListQuery,
        response: { 200: z.array(domainSchema) },
      },
    },
    async (request) =>
      (
        await domains.list(request.principal, { ...request.query, archived: request.query.archived ?? false })
      ).map(presentDomain),
  );

  app.get(
    "/domains/status",
    {
      config: { scope: "domains.read" },
      schema: {
        operationId: "checkDomainStatus",
        tags,
        querystring: domainStatusQuery,
        response: { 200: z.array(domainStatusSchema) },
      },
    },
    async (request) =>
      (await domains.status(request.principal, request.query.domains)).map(presentDomainStatus),
  );

  app.post(
    "/domains/register",
    {
      config: { scope: "domains.write" },
      schema: {
        operationId: "registerDomain",
        tags,
        description: "Always 403 forbidden: Clicktrail cannot buy domains.",
        body: registerDomainBody,
        response: { 403: errorSchema },
      },
    },
    async (request) => domains.register(request.body.domain),
  );

  app.patch(
    "/domains/:slug",
    {
      config: { scope: "domains.write" },
      schema: {
        operationId: "updateDomain",
        tags,
        params: domainSlug,
        body: domainPatchBody,
        response: { 200: domainSchema },
      },
    },
    async (request) =>
      presentDomain(await domains.update(request.principal, request.params.slug, request.body)),
  );

  app.delete(
    "/domains/:slug",
    {
      config: { scope: "domains.write" },
      schema: {
        operationId: "deleteDomain",
        tags,
        description: "Deletes the domain and every link on it, as Dub does.",
        params: domainSlug,
        response: { 200: z.object({ slug: z.string() }) },
      },
    },
    async (request) => domains.delete(request.principal, request.params.slug),
  );
};
