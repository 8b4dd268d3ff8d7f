import { timingSafeEqual } from "node:crypto";
import swagger from "@fastify/swagger";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from "fastify";
import { serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import type { Logger } from "pino";
import type { Services } from "../composition/services.js";
import type { Config } from "../config.js";
import { badRequest } from "../domain/errors.js";
import { isPrivateAddress } from "../infra/address-policy.js";
import { type CommitUsage, observeGroupCommit, observePool, type PoolUsage } from "../infra/metrics.js";
import { authenticate } from "./auth.js";
import { CLIENT_SCRIPT } from "./client-script.js";
import { dashboardRoutes } from "./dashboard.js";
import { answerClientError, INVALID_JSON, installErrorHandler, sendError } from "./errors.js";
import { openApiOptions } from "./openapi.js";
import { NOT_FOUND_PAGE } from "./pages.js";
import { clientAddress } from "./request-context.js";
import { bodyProblem, hasNulEscape, NUL_IN_URL } from "./request-guards.js";
import { recordRequestMetrics } from "./request-metrics.js";
import { accountRoutes } from "./routes/accounts.js";
import { analyticsRoutes } from "./routes/analytics.js";
import { clientClickRoutes } from "./routes/client-clicks.js";
import { clientTrackRoutes } from "./routes/client-track.js";
import { customerRoutes } from "./routes/customers.js";
import { domainRoutes } from "./routes/domains.js";
import { eventRoutes } from "./routes/events.js";
import { folderRoutes } from "./routes/folders.js";
import { healthRoutes } from "./routes/health.js";
import { integrationWebhookRoutes } from "./routes/integration-webhooks.js";
import { integrationRoutes } from "./routes/integrations.js";
import { linkRoutes } from "./routes/links.js";
import { memberRoutes } from "./routes/members.js";
import { metatagsRoutes } from "./routes/metatags.js";
import { qrRoutes } from "./routes/qr.js";
import { redirectRoutes } from "./routes/redirects.js";
import { tagRoutes } from "./routes/tags.js";
import { tokenRoutes } from "./routes/tokens.js";
import { trackRoutes } from "./routes/track.js";
import { webhookRoutes } from "./routes/webhooks.js";
import { workspaceRoutes } from "./routes/workspaces.js";

export type AppOptions = {
  config: Config;
  services: Services;
  /** PostgreSQL connection pool usage, for metrics; null on SQLite. */
  poolUsage: () => PoolUsage | null;
  /** SQLite's group commit counts, for metrics; null on PostgreSQL. */
  commitUsage: () => CommitUsage | null;
  logger: Logger;
};

const BODY_LIMIT = 1024 * 1024;

export async function buildApp({
  config,
  services,
  poolUsage,
  commitUsage,
  logger,
}: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    trustProxy: config.trustProxy,
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: "x-request-id",
    // Keys are up to 190 characters, and a percent-encoded character takes up to 12.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 4096 },
    frameworkErrors: (error, request, reply) =>
      isApiRequest(request, config.apiHost)
        ? sendError(reply, "bad_request", `The request URL is malformed: ${error.message}.`)
        : notFoundPage(reply as FastifyReply),
    clientErrorHandler: answerClientError,
    // An HTTP/1.1 request without Host is still answered (the default short domain serves it).
    http: { requireHostHeader: false },
  });
  // Node answers an `Expect:` it does not know with a bare 417; such a request is served like any other.
  app.server.on("checkExpectation", (request, response) => app.server.emit("request", request, response));
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app, services.database);
  refuseNulInUrl(app, config.apiHost);
  acceptAnyContentTypeAsJson(app);
  recordRequestMetrics(app, services.metrics);
  observePool(services.metrics, poolUsage);
  observeGroupCommit(services.metrics, commitUsage);

  await app.register(swagger, openApiOptions);

  const api = async (scope: FastifyInstance) => {
    scope.addHook("onRequest", authenticate(services.workspaces, services.rateLimiter, services.accounts));
    scope.addHook("preValidation", async (request, reply) => {
      if (request.routeOptions.schema?.body && (request.body === undefined || request.body === null)) {
        return sendError(reply, "bad_request", INVALID_JSON);
      }
    });
    await scope.register(linkRoutes, {
      links: services.links,
      bulkLinks: services.bulkLinks,
      protocol: config.shortLinkProtocol,
    });
    await scope.register(domainRoutes, { domains: services.domains });
    await scope.register(tagRoutes, { tags: services.tags });
    await scope.register(folderRoutes, { folders: services.folders });
    await scope.register(trackRoutes, {
      leads: services.leads,
      sales: services.sales,
      customers: services.customers,
      protocol: config.shortLinkProtocol,
    });
    await scope.register(analyticsRoutes, {
      analytics: services.analytics,
      protocol: config.shortLinkProtocol,
    });
    await scope.register(eventRoutes, { events: services.events, protocol: config.shortLinkProtocol });
    await scope.register(customerRoutes, {
      customers: services.customers,
      protocol: config.shortLinkProtocol,
    });
    await scope.register(webhookRoutes, { webhooks: services.webhooks });
    await scope.register(integrationRoutes, { integrations: services.integrations });
    await scope.register(workspaceRoutes, { workspaces: services.workspaces });
    await scope.register(tokenRoutes, { tokens: services.tokens });
    await scope.register(accountRoutes, { accounts: services.accounts, memberships: services.memberships });
    await scope.register(memberRoutes, { memberships: services.memberships });
    await scope.register(metatagsRoutes, { metatags: services.metatags });
    await scope.register(qrRoutes);
    await scope.register(clientClickRoutes, {
      clientClicks: services.clientClicks,
      workspaces: services.workspaces,
      trustProxy: config.trustProxy,
    });
    await scope.register(clientTrackRoutes, {
      leads: services.leads,
      sales: services.sales,
      workspaces: services.workspaces,
      rateLimiter: services.rateLimiter,
      protocol: config.shortLinkProtocol,
    });
    scope.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  };

  await app.register(
    async (scope) => {
      await api(scope);
      scope.setNotFoundHandler((request, reply) => apiNotFound(request, reply));
    },
    { prefix: "/api" },
  );
  if (config.apiHost) {
    const apiHost = config.apiHost;
    await app.register(async (scope) => {
      scope.addHook("onRoute", (route) => {
        route.constraints = { ...route.constraints, host: apiHost };
        route.schema = { ...route.schema, hide: true };
      });
      await api(scope);
    });
  }

  await app.register(dashboardRoutes);
  await app.register(integrationWebhookRoutes, { integrations: services.integrations });
  await app.register(healthRoutes, { database: services.database, pingRedis: services.pingRedis });
  app.get("/script.js", { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type("application/javascript; charset=utf-8")
      .header("cache-control", "public, max-age=3600")
      .send(CLIENT_SCRIPT),
  );
  // Business figures: with METRICS_TOKEN a scrape must bring it; without, only private networks may scrape.
  app.get("/metrics", { schema: { hide: true } }, async (request, reply) => {
    if (config.metricsToken !== undefined) {
      if (!safeEqual(request.headers.authorization ?? "", `Bearer ${config.metricsToken}`)) {
        return reply.code(401).header("www-authenticate", "Bearer").type("text/plain").send("Unauthorized\n");
      }
    } else if (!isPrivateAddress(clientAddress(request.ip))) {
      return notFoundPage(reply);
    }
    return reply.type(services.metrics.registry.contentType).send(await services.metrics.exposition());
  });
  await app.register(redirectRoutes, {
    redirects: services.redirects,
    trustProxy: config.trustProxy,
    database: services.database,
    apiHost: config.apiHost,
  });
  app.setNotFoundHandler((request, reply) => {
    if (isApiRequest(request, config.apiHost)) return apiNotFound(request, reply);
    return notFoundPage(reply);
  });
  return app;
}

function isApiRequest(request: FastifyRequest, apiHost: string | undefined): boolean {
  return /^\/api([/?#]|$)/.test(pathOf(request)) || (apiHost !== undefined && request.hostname === apiHost);
}

/** The path of the request target, also in absolute form (`GET http://host/api/links`). */
const pathOf = (request: FastifyRequest) => request.url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, "");

/**
 * `%00` decodes to a NUL that no store should see; refused before any route reads the URL. A short link's
 * query is only passed on to its destination, so there only the path counts.
 */
function refuseNulInUrl(app: FastifyInstance, apiHost: string | undefined) {
  // Hooks on every request take a callback: an async one costs a promise and a turn of the microtask queue.
  app.addHook("onRequest", (request, reply, done) => {
    if (!hasNulEscape(request.url)) return done();
    if (isApiRequest(request, apiHost)) return void sendError(reply, "bad_request", NUL_IN_URL);
    if (hasNulEscape(pathOf(request).split(/[?#]/)[0])) return void notFoundPage(reply);
    done();
  });
}

const notFoundPage = (reply: FastifyReply) =>
  reply.code(404).type("text/html; charset=utf-8").send(NOT_FOUND_PAGE);

function safeEqual(given: string, expected: string): boolean {
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}

function apiNotFound(request: FastifyRequest, reply: Parameters<typeof sendError>[0]) {
  return sendError(reply, "not_found", `No route ${request.method} ${request.url.split("?")[0]}.`);
}

/** Like Dub, any body is read as JSON whatever its Content-Type says; an empty body is no body. */
function acceptAnyContentTypeAsJson(app: FastifyInstance) {
  app.addHook("onRequest", (request, _reply, done) => {
    // An empty `Content-Type:` (the seed Go SDK sends one) is not a media type fastify can route to a parser.
    if (request.headers["content-type"] === "") request.headers["content-type"] = "application/json";
    done();
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => {
    const text = (body as string).trim();
    if (text === "") return done(null, undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return done(
        Object.assign(new Error(INVALID_JSON), { statusCode: 400, code: "FST_ERR_CTP_INVALID_JSON_BODY" }),
        undefined,
      );
    }
    const problem = bodyProblem(parsed);
    done(problem ? badRequest(problem) : null, problem ? undefined : parsed);
  });
}
