import type { Clock } from "../clock.js";
import { badRequest, conflict, notFound, UniqueViolation } from "../errors.js";
import type { Link } from "../links/model.js";
import type { LinkStore } from "../links/ports.js";
import type { Principal } from "../workspaces/model.js";
import type { Customer, CustomerChanges, CustomerDetails, CustomerFilter, CustomerSort } from "./model.js";
import { newCustomer } from "./new-customer.js";
import type { CustomerStore } from "./ports.js";

export type CustomerListParams = CustomerFilter & {
  sortBy: CustomerSort;
  sortOrder: "asc" | "desc";
  page?: number;
  pageSize: number;
  startingAfter?: string;
  endingBefore?: string;
};

const EXTERNAL_PREFIX = "ext_";

export class CustomerService {
  constructor(
    private readonly store: CustomerStore,
    private readonly links: LinkStore,
    private readonly clock: Clock,
  ) {}

  /** The seed SDK's Track.Customer: create the customer, or update the details it was sent. */
  async upsertDetails(principal: Principal, externalId: string, details: CustomerDetails): Promise<Customer> {
    const now = this.clock.now();
    const customer = await this.store.getOrCreate(
      newCustomer({ workspaceId: principal.workspaceId, externalId, ...details }, now),
    );
    const changed = (Object.keys(details) as (keyof CustomerDetails)[]).some(
      (field) => details[field] !== undefined && details[field] !== customer[field],
    );
    return changed ? this.store.updateDetails(principal.workspaceId, customer.id, details, now) : customer;
  }

  /** A cursor (`startingAfter`, then `endingBefore`) wins over `page`. */
  async list(principal: Principal, params: CustomerListParams): Promise<Customer[]> {
    const { sortBy, sortOrder, page = 1, pageSize, startingAfter, endingBefore, ...filter } = params;
    if (filter.absentFeature) return [];
    const cursor = async (name: string, id: string) => {
      const customer = await this.store.findById(principal.workspaceId, id);
      if (!customer) throw badRequest(`${name} names no customer of this workspace: ${id}`);
      return customer;
    };
    const from = startingAfter
      ? { after: await cursor("startingAfter", startingAfter) }
      : endingBefore
        ? { before: await cursor("endingBefore", endingBefore) }
        : { offset: (page - 1) * pageSize };
    return this.store.list(principal.workspaceId, { filter, sortBy, sortOrder, pageSize, from });
  }

  /** The links the customers were referred by (their click's link), by link id. */
  async referralLinks(principal: Principal, customers: Customer[]): Promise<Map<string, Link>> {
    const ids = [...new Set(customers.flatMap((customer) => (customer.linkId ? [customer.linkId] : [])))];
    const links = await this.links.findByIds(principal.workspaceId, ids);
    return new Map(links.map((link) => [link.id, link]));
  }

  /** `id` is a `cus_…` id, or `ext_` followed by the customer's externalId. */
  async get(principal: Principal, id: string): Promise<Customer> {
    const customer = id.startsWith(EXTERNAL_PREFIX)
      ? await this.store.findByExternalId(principal.workspaceId, id.slice(EXTERNAL_PREFIX.length))
      : await this.store.findById(principal.workspaceId, id);
    if (!customer) throw notFound("Customer not found.");
    return customer;
  }

  async update(principal: Principal, id: string, changes: CustomerChanges): Promise<Customer> {
    const customer = await this.get(principal, id);
    try {
      const updated = await this.store.update(principal.workspaceId, customer.id, changes, this.clock.now());
      if (!updated) throw notFound("Customer not found.");
      return updated;
    } catch (error) {
      if (error instanceof UniqueViolation && error.target === "stripe_customer_id")
        throw conflict(
          `Another customer of this workspace has stripeCustomerId ${changes.stripeCustomerId}.`,
        );
      if (error instanceof UniqueViolation) {
        throw conflict(`A customer with externalId ${changes.externalId} already exists in this workspace.`);
      }
      throw error;
    }
  }

  /** Deletes the customer and every lead and sale it made: nothing of it remains. */
  async delete(principal: Principal, id: string): Promise<{ id: string }> {
    const customer = await this.get(principal, id);
    if (!(await this.store.erase(principal.workspaceId, customer.id))) throw notFound("Customer not found.");
    return { id: customer.id };
  }
}
