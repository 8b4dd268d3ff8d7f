import type { Clock } from "../../infra/clock.js";
import type { Principal } from "../workspaces/model.js";
import type { Customer, CustomerDetails } from "./model.js";
import { newCustomer } from "./new-customer.js";
import type { CustomerStore } from "./ports.js";

export class CustomerService {
  constructor(
    private readonly store: CustomerStore,
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
}
