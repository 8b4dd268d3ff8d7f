import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Metrics } from "../infra/metrics.js";

/** Counts and times every response under its route pattern, so that the label set stays bounded. */
export function recordRequestMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook("onResponse", (request, reply, done) => {
    const labels = { method: request.method, route: routeLabel(request) };
    metrics.httpRequests.inc({ ...labels, status: String(reply.statusCode) });
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    done();
  });
}

function routeLabel(request: FastifyRequest): string {
  const route = request.routeOptions.url;
  if (route === undefined) return "unmatched";
  return route === "/*" ? "redirect" : route;
}
