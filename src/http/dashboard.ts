import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply } from "fastify";

/** Where `npm run build` puts the dashboard: the project's dist/web, from src/http or dist/http alike. */
export const DASHBOARD_DIR = fileURLToPath(new URL("../../dist/web/", import.meta.url));

const IMMUTABLE = "public, max-age=31536000, immutable";
/** The app fetches only its own origin; styles may be inline (charts position with style attributes). */
const CSP =
  "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; " +
  "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/**
 * The dashboard at /app: hashed assets are immutable and sent precompressed (brotli or gzip, see
 * scripts/compress-web.mjs); every other path under /app is the single page's index, which routes itself.
 */
export async function dashboardRoutes(
  app: FastifyInstance,
  { root = DASHBOARD_DIR }: { root?: string } = {},
) {
  if (!existsSync(`${root}index.html`)) {
    const notBuilt = async (_request: unknown, reply: FastifyReply) =>
      reply
        .code(503)
        .type("text/plain; charset=utf-8")
        .send("The dashboard is not built. Run `npm run build`, then restart.\n");
    app.get("/app", { schema: { hide: true } }, notBuilt);
    app.get("/app/*", { schema: { hide: true } }, notBuilt);
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: "/app/",
    wildcard: false,
    index: false,
    preCompressed: true,
    cacheControl: false,
    serveDotFiles: false,
    setHeaders(response, path) {
      response.header("cache-control", path.includes("/assets/") ? IMMUTABLE : "no-cache");
      response.header("x-content-type-options", "nosniff");
      if (/\.html(\.br|\.gz)?$/.test(path)) {
        response.header("content-security-policy", CSP);
        response.header("referrer-policy", "same-origin");
        response.header("x-frame-options", "DENY");
      }
    },
  });
  const sendIndex = (reply: FastifyReply) => reply.sendFile("index.html", root);
  app.get("/app", { schema: { hide: true } }, (_request, reply) => sendIndex(reply));
  app.get("/app/*", { schema: { hide: true } }, (request, reply) => {
    if (request.url.startsWith("/app/assets/")) {
      return reply.code(404).type("text/plain; charset=utf-8").send("Not found\n");
    }
    return sendIndex(reply);
  });
}
