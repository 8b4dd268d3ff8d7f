import { Readable } from "node:stream";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { EventService } from "../../domain/events/event-service.js";
import type { EventRecord } from "../../domain/events/model.js";
import { csvRecord } from "../../wire/csv.js";
import { presentEvent } from "../../wire/event.js";
import { exportFields } from "../../wire/event-csv.js";
import { sdkGenerationOf } from "../../wire/sdk-generation.js";
import {
  eventSchema,
  eventsExportQuery,
  eventsQuery,
  exportColumns,
  toEventParams,
} from "../schemas/events.js";

export type EventRoutesOptions = { events: EventService; protocol: string };

const tags = ["Events"];

export const eventRoutes: FastifyPluginAsyncZod<EventRoutesOptions> = async (app, { events, protocol }) => {
  app.get(
    "/events",
    {
      config: { scope: "analytics.read" },
      schema: {
        operationId: "listEvents",
        tags,
        querystring: eventsQuery,
        response: { 200: z.array(eventSchema) },
      },
    },
    async (request) => {
      const { page, limit } = request.query;
      const records = await events.list(request.principal, toEventParams(request.query), { page, limit });
      const generation = sdkGenerationOf(request.headers["user-agent"]);
      return records.map((record) => presentEvent(record, protocol, generation));
    },
  );

  app.get(
    "/events/export",
    {
      config: { scope: "analytics.read" },
      schema: {
        operationId: "exportEvents",
        tags,
        description: "The events GET /events would list, every page of them, as CSV (RFC 4180), streamed.",
        querystring: eventsExportQuery,
      },
    },
    async (request, reply) => {
      const query = request.query;
      const columns = exportColumns(query.event, query.columns);
      const batches = events.export(request.principal, toEventParams(query));
      const filename = `clicktrail-${query.event}-${new Date().toISOString().slice(0, 10)}.csv`;
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="${filename}"`)
        .send(Readable.from(csvChunks(batches, columns, protocol), { objectMode: false }));
    },
  );
};

/** One chunk per batch; the byte stream's backpressure paces the database reads. */
async function* csvChunks(
  batches: AsyncIterable<EventRecord[]>,
  columns: readonly string[],
  protocol: string,
) {
  yield csvRecord(columns);
  for await (const batch of batches) {
    yield batch.map((record) => csvRecord(exportFields(presentEvent(record, protocol), columns))).join("");
  }
}
