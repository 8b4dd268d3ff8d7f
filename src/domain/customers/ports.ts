import type { Customer, CustomerChanges, CustomerDetails, CustomerListing } from "./model.js";

export interface CustomerStore {
  findById(workspaceId: string, id: string): Promise<Customer | null>;
  findByIds(workspaceId: string, ids: string[]): Promise<Customer[]>;
  findByExternalId(workspaceId: string, externalId: string): Promise<Customer | null>;
  findByStripeCustomerId(workspaceId: string, stripeCustomerId: string): Promise<Customer | null>;
  list(workspaceId: string, listing: CustomerListing): Promise<Customer[]>;
  /** Inserts `candidate` unless a customer with its (workspace, externalId) exists; returns the stored one. */
  getOrCreate(candidate: Customer): Promise<Customer>;
  updateDetails(
    workspaceId: string,
    id: string,
    details: CustomerDetails,
    updatedAt: number,
  ): Promise<Customer>;
  /**
   * Null when no such customer; throws `UniqueViolation("external_id")` when the externalId is taken,
   * `UniqueViolation("stripe_customer_id")` when another customer has that Stripe customer.
   */
  update(
    workspaceId: string,
    id: string,
    changes: CustomerChanges,
    updatedAt: number,
  ): Promise<Customer | null>;
  /**
   * Atomic: deletes the customer with its lead and sale events, lead claims and invoice claims, and takes
   * those events out of their links' counters. False when no such customer.
   */
  erase(workspaceId: string, id: string): Promise<boolean>;
}
