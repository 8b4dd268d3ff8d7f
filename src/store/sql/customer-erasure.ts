import type { Selectable, Transaction } from "kysely";
import { containing } from "./like.js";
import { applyRollups, leadRollup, saleRollup } from "./rollups.js";
import type { Database, LeadEventRow, RefundEventRow, SaleEventRow } from "./schema.js";

type LinkShare = { leads: number; sales: number; saleAmount: number };

/**
 * Deletes a customer and everything recorded of it, inside the caller's transaction: its lead and sale
 * events, lead claims, invoice claims (their receipts name it) and queued or delivered webhook messages
 * about it; the events are taken out of the rollups and their links' counters. False when no such customer.
 *
 * Lock order as every writer: the customer row, events, rollups, then links in id order.
 */
export async function eraseCustomer(
  trx: Transaction<Database>,
  workspaceId: string,
  customerId: string,
): Promise<boolean> {
  const deleted = await trx
    .deleteFrom("customers")
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", customerId)
    .returning("id")
    .executeTakeFirst();
  if (!deleted) return false;

  await trx
    .deleteFrom("sale_invoices")
    .where("workspace_id", "=", workspaceId)
    .where("sale_event_id", "in", (eb) =>
      eb
        .selectFrom("sale_events")
        .select("id")
        .where("workspace_id", "=", workspaceId)
        .where("customer_id", "=", customerId),
    )
    .execute();
  const leads = await trx
    .deleteFrom("lead_events")
    .where("workspace_id", "=", workspaceId)
    .where("customer_id", "=", customerId)
    .returningAll()
    .execute();
  const sales = await trx
    .deleteFrom("sale_events")
    .where("workspace_id", "=", workspaceId)
    .where("customer_id", "=", customerId)
    .returningAll()
    .execute();
  await trx
    .deleteFrom("lead_claims")
    .where("workspace_id", "=", workspaceId)
    .where("customer_id", "=", customerId)
    .execute();
  const refunds = await eraseIntegrationRecords(trx, workspaceId, customerId);
  await applyRollups(
    trx,
    [...leads.map(leadRollup), ...sales.map(saleRollup), ...refunds.map(refundRollup)],
    -1,
  );
  await subtractFromLinks(trx, workspaceId, sharesPerLink(leads, sales, refunds));
  await forgetWebhookMessages(trx, workspaceId, customerId);
  return true;
}

/**
 * Its refunds (returned, to be taken out of the rollups and links as its sales are), the links between its
 * processor ids and it, and the payloads of the processor events about it. The events themselves stay, without
 * payload, so a redelivery is still known and records nothing.
 */
async function eraseIntegrationRecords(trx: Transaction<Database>, workspaceId: string, customerId: string) {
  await trx
    .deleteFrom("integration_customers")
    .where("workspace_id", "=", workspaceId)
    .where("customer_id", "=", customerId)
    .execute();
  await trx
    .updateTable("integration_events")
    .set({ payload: null })
    .where("workspace_id", "=", workspaceId)
    .where("customer_id", "=", customerId)
    .execute();
  return trx
    .deleteFrom("refund_events")
    .where("workspace_id", "=", workspaceId)
    .where("customer_id", "=", customerId)
    .returningAll()
    .execute();
}

/** A refund counted as a sale amount taken back, as recordRefund added it. */
const refundRollup = (row: Selectable<RefundEventRow>) => ({
  ...saleRollup({ ...row, amount: -Number(row.amount) }),
  sales: 0,
});

function sharesPerLink(
  leads: Selectable<LeadEventRow>[],
  sales: Selectable<SaleEventRow>[],
  refunds: Selectable<RefundEventRow>[],
) {
  const shares = new Map<string, LinkShare>();
  const share = (linkId: string) => {
    const entry = shares.get(linkId) ?? { leads: 0, sales: 0, saleAmount: 0 };
    shares.set(linkId, entry);
    return entry;
  };
  for (const lead of leads) share(lead.link_id).leads += 1;
  for (const sale of sales) {
    const entry = share(sale.link_id);
    entry.sales += 1;
    // Links count USD only, as recordSale adds them.
    if (Number(sale.converted) === 1) entry.saleAmount += Number(sale.amount);
  }
  for (const refund of refunds)
    if (Number(refund.converted) === 1) share(refund.link_id).saleAmount -= Number(refund.amount);
  return shares;
}

/** A customer's first sale on a link counted one conversion there, so a link it sold through loses one. */
async function subtractFromLinks(
  trx: Transaction<Database>,
  workspaceId: string,
  shares: Map<string, LinkShare>,
): Promise<void> {
  for (const [linkId, share] of [...shares].sort(([a], [b]) => (a < b ? -1 : 1))) {
    await trx
      .updateTable("links")
      .set((eb) => ({
        leads: eb("leads", "-", share.leads),
        sales: eb("sales", "-", share.sales),
        sale_amount: eb("sale_amount", "-", share.saleAmount),
        conversions: eb("conversions", "-", share.sales > 0 ? 1 : 0),
      }))
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", linkId)
      .execute();
  }
}

/** Webhook payloads carry the customer's name and email; its id appears in every one that is about it. */
async function forgetWebhookMessages(
  trx: Transaction<Database>,
  workspaceId: string,
  customerId: string,
): Promise<void> {
  const mentionsCustomer = containing(customerId);
  const messages = trx
    .selectFrom("webhook_messages")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("payload", "like", mentionsCustomer);
  await trx
    .deleteFrom("webhook_attempts")
    .where("workspace_id", "=", workspaceId)
    .where("message_id", "in", messages)
    .execute();
  await trx
    .deleteFrom("webhook_messages")
    .where("workspace_id", "=", workspaceId)
    .where("payload", "like", mentionsCustomer)
    .execute();
}
