import { Readable } from "node:stream";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { EventService } from "../../domain/events/event-service.js";
import type { EventRecord } from "../../domain/events/model.js";
import { csvRecord } from "../../wire/csv.js";
import { presentEvent, presentEvents } from "../../wire/event.js";
import { exportFields } from "../../wire/event-csv.js";
import {
  eventSchema,
  eventsExportQuery,
  eventsQuery,
  exportColumns,
  toEventParams,
} from "../schemas/events.js";
import { fileResponse } from "../schemas/files.js";
import { sdkGeneration } from "../sdk-generation.js";

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
        description:
          "Events in today's shape. A client whose User-Agent names dub-go 0.13 or older gets the shape that SDK decodes (docs/adr/0016).",
        querystring: eventsQuery,
        response: { 200: z.array(eventSchema) },
      },
    },
    async (request, reply) => {
      const { page, limit } = request.query;
      const records = await events.list(request.principal, toEventParams(request.query), { page, limit });
      const generation = sdkGeneration(request);
      reply.header("vary", "User-Agent");
      if (generation === "current") return presentEvents(records, protocol, generation);
      // Serialised here: the documented schema is today's and would strip the old Go SDK's shape back to it.
      const seedBody = JSON.stringify(presentEvents(records, protocol, generation));
      return reply.type("application/json; charset=utf-8").send(seedBody as never);
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
        response: { 200: fileResponse("text/csv", "A header row, then one row per event") },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const columns = exportColumns(query.event, query.columns);
      const batches = await events.export(request.principal, toEventParams(query));
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
