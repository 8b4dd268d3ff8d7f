import { badRequest } from "../errors.js";

/** Every SDK generation names the customer differently: customerExternalId, externalId or customerId. */
export function customerExternalId(input: {
  customerExternalId?: string | null;
  externalId?: string | null;
  customerId?: string | null;
}): string {
  const id = input.customerExternalId || input.externalId || input.customerId;
  if (!id) throw badRequest("customerExternalId is required");
  return id;
}
