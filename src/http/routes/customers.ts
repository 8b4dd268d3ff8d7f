import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { CustomerService } from "../../domain/customers/customer-service.js";
import type { Customer } from "../../domain/customers/model.js";
import type { Principal } from "../../domain/workspaces/model.js";
import { presentCustomer, presentExpandedCustomer } from "../../wire/customer.js";
import {
  customerGetQuery,
  customerIdParams,
  customerListQuery,
  customerPatchBody,
  customerResponse,
} from "../schemas/customers.js";

export type CustomerRoutesOptions = { customers: CustomerService; protocol: string };

const tags = ["Customers"];

export const customerRoutes: FastifyPluginAsyncZod<CustomerRoutesOptions> = async (
  app,
  { customers, protocol },
) => {
  const present = async (principal: Principal, list: Customer[], expanded: boolean | undefined) => {
    if (!expanded) return list.map(presentCustomer);
    const links = await customers.referralLinks(principal, list);
    return list.map((customer) =>
      presentExpandedCustomer(customer, links.get(customer.linkId ?? "") ?? null, protocol),
    );
  };
  const presentOne = async (principal: Principal, customer: Customer, expanded: boolean | undefined) =>
    (await present(principal, [customer], expanded))[0];

  app.get(
    "/customers",
    {
      config: { scope: "customers.read" },
      schema: {
        operationId: "getCustomers",
        tags,
        querystring: customerListQuery,
        response: { 200: z.array(customerResponse) },
      },
    },
    async (request) => {
      const { includeExpandedFields, programId, partnerId, ...params } = request.query;
      const list = await customers.list(request.principal, {
        ...params,
        absentFeature: Boolean(programId || partnerId) || undefined,
      });
      return present(request.principal, list, includeExpandedFields);
    },
  );

  app.get(
    "/customers/:id",
    {
      config: { scope: "customers.read" },
      schema: {
        operationId: "getCustomer",
        tags,
        params: customerIdParams,
        querystring: customerGetQuery,
        response: { 200: customerResponse },
      },
    },
    async (request) =>
      presentOne(
        request.principal,
        await customers.get(request.principal, request.params.id),
        request.query.includeExpandedFields,
      ),
  );

  app.patch(
    "/customers/:id",
    {
      config: { scope: "customers.write" },
      schema: {
        operationId: "updateCustomer",
        tags,
        params: customerIdParams,
        querystring: customerGetQuery,
        body: customerPatchBody,
        response: { 200: customerResponse },
      },
    },
    async (request) => {
      const { name, ...changes } = request.body;
      const updated = await customers.update(request.principal, request.params.id, {
        ...changes,
        name: name ?? undefined,
      });
      return presentOne(request.principal, updated, request.query.includeExpandedFields);
    },
  );

  app.delete(
    "/customers/:id",
    {
      config: { scope: "customers.write" },
      schema: {
        operationId: "deleteCustomer",
        tags,
        params: customerIdParams,
        response: { 200: z.object({ id: z.string() }) },
      },
    },
    async (request) => customers.delete(request.principal, request.params.id),
  );
};
