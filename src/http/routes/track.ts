import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { customerExternalId } from "../../domain/conversions/customer-id.js";
import type { LeadService } from "../../domain/conversions/lead-service.js";
import type { SaleService } from "../../domain/conversions/sale-service.js";
import type { CustomerService } from "../../domain/customers/customer-service.js";
import { presentTrackedCustomer, presentTrackedLead } from "../../wire/track.js";
import {
  trackCustomerBody,
  trackCustomerResponse,
  trackLeadBody,
  trackLeadResponse,
  trackSaleBody,
  trackSaleResponse,
} from "../schemas/track.js";
import { sdkGeneration } from "../sdk-generation.js";

export type TrackRoutesOptions = {
  leads: LeadService;
  sales: SaleService;
  customers: CustomerService;
  protocol: string;
};

const tags = ["Track"];

export const trackRoutes: FastifyPluginAsyncZod<TrackRoutesOptions> = async (app, options) => {
  app.post(
    "/track/lead",
    {
      config: { scope: "conversions.write" },
      schema: { operationId: "trackLead", tags, body: trackLeadBody, response: { 200: trackLeadResponse } },
    },
    async (request) =>
      presentTrackedLead(
        await options.leads.track(request.principal, request.body),
        options.protocol,
        sdkGeneration(request),
      ),
  );

  app.post(
    "/track/sale",
    {
      config: { scope: "conversions.write" },
      schema: { operationId: "trackSale", tags, body: trackSaleBody, response: { 200: trackSaleResponse } },
    },
    async (request, reply) => {
      const receipt = await options.sales.track(request.principal, request.body);
      // Already JSON: a string payload with a JSON content type is sent as is, so a replay is byte-identical.
      return reply.type("application/json; charset=utf-8").send(receipt as never);
    },
  );

  app.post(
    "/track/customer",
    {
      config: { scope: "conversions.write" },
      schema: {
        operationId: "trackCustomer",
        tags,
        body: trackCustomerBody,
        response: { 200: trackCustomerResponse },
      },
    },
    async (request) => {
      const body = request.body;
      const customer = await options.customers.upsertDetails(request.principal, customerExternalId(body), {
        name: body.customerName,
        email: body.customerEmail,
        avatar: body.customerAvatar,
      });
      return presentTrackedCustomer(customer);
    },
  );
};
