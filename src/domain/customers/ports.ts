import type { Customer, CustomerDetails } from "./model.js";

export interface CustomerStore {
  findByExternalId(workspaceId: string, externalId: string): Promise<Customer | null>;
  /** Inserts `candidate` unless a customer with its (workspace, externalId) exists; returns the stored one. */
  getOrCreate(candidate: Customer): Promise<Customer>;
  updateDetails(
    workspaceId: string,
    id: string,
    details: CustomerDetails,
    updatedAt: number,
  ): Promise<Customer>;
}
