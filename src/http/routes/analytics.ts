import { Readable } from "node:stream";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { AnalyticsService } from "../../domain/analytics/analytics-service.js";
import { analyticsColumns, presentAnalytics } from "../../wire/analytics.js";
import { csvField, csvRecord } from "../../wire/csv.js";
import { analyticsQuery, analyticsResponse, toAnalyticsParams } from "../schemas/analytics.js";
import { fileResponse } from "../schemas/files.js";

export type AnalyticsRoutesOptions = { analytics: AnalyticsService; protocol: string };

const tags = ["Analytics"];

export const analyticsRoutes: FastifyPluginAsyncZod<AnalyticsRoutesOptions> = async (
  app,
  { analytics, protocol },
) => {
  app.get(
    "/analytics",
    {
      config: { scope: "analytics.read" },
      schema: {
        operationId: "retrieveAnalytics",
        tags,
        querystring: analyticsQuery,
        response: { 200: analyticsResponse },
      },
      // The presenter's types already guarantee the shape; checking a thousand rows against the union is slow.
      serializerCompiler: () => (data) => JSON.stringify(data),
    },
    async (request) =>
      presentAnalytics(
        await analytics.retrieve(request.principal, toAnalyticsParams(request.query)),
        protocol,
      ),
  );

  app.get(
    "/analytics/export",
    {
      config: { scope: "analytics.read" },
      schema: {
        operationId: "exportAnalytics",
        tags,
        description:
          "What GET /analytics answers for the same parameters, as CSV (RFC 4180), one row per item.",
        querystring: analyticsQuery,
        response: { 200: fileResponse("text/csv", "One row per item of what GET /analytics answers") },
      },
    },
    async (request, reply) => {
      const result = await analytics.retrieve(request.principal, toAnalyticsParams(request.query));
      const body = presentAnalytics(result, protocol);
      const rows = (Array.isArray(body) ? body : [body]) as Record<string, unknown>[];
      const columns = analyticsColumns(result.groupBy);
      const filename = `clicktrail-analytics-${request.query.groupBy}-${new Date().toISOString().slice(0, 10)}.csv`;
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="${filename}"`)
        .send(Readable.from(csvLines(columns, rows)));
    },
  );
};

function* csvLines(columns: string[], rows: Record<string, unknown>[]) {
  yield csvRecord(columns);
  for (const row of rows) yield csvRecord(columns.map((column) => csvField(row[column])));
}
