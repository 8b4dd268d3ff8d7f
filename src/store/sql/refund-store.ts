import { type Kysely, sql, type Transaction } from "kysely";
import { prefixedId } from "../../domain/ids.js";
import type { RefundRecord, RefundResult, RefundStore, SaleRef } from "../../domain/integrations/ports.js";
import { applyRollups, saleRollup } from "./rollups.js";
import type { Database } from "./schema.js";
import { transact } from "./transact.js";

export class SqlRefundStore implements RefundStore {
  constructor(private readonly db: Kysely<Database>) {}

  async saleForInvoice(workspaceId: string, invoiceId: string): Promise<SaleRef | null> {
    const row = await this.db
      .selectFrom("sale_invoices as i")
      .innerJoin("sale_events as s", (join) =>
        join.onRef("s.workspace_id", "=", "i.workspace_id").onRef("s.id", "=", "i.sale_event_id"),
      )
      .select([
        "s.id",
        "s.workspace_id",
        "s.customer_id",
        "s.timestamp",
        "s.original_amount",
        "s.original_currency",
        "s.amount",
        "s.converted",
      ])
      .where("i.workspace_id", "=", workspaceId)
      .where("i.invoice_id", "=", invoiceId)
      .executeTakeFirst();
    if (!row) return null;
    return {
      id: row.id,
      workspaceId: row.workspace_id,
      customerId: row.customer_id,
      timestamp: Number(row.timestamp),
      originalAmount: Number(row.original_amount),
      originalCurrency: row.original_currency,
      amount: Number(row.amount),
      converted: Number(row.converted) === 1,
    };
  }

  async refundedOf(workspaceId: string, saleEventId: string): Promise<number> {
    return (await refundedSoFar(this.db, workspaceId, saleEventId)).original;
  }

  recordRefund(refund: RefundRecord): Promise<RefundResult> {
    return transact(this.db, async (trx) => {
      const sale = await trx
        .selectFrom("sale_events")
        .selectAll()
        .where("workspace_id", "=", refund.workspaceId)
        .where("id", "=", refund.saleEventId)
        .executeTakeFirst();
      if (!sale) return { kind: "no-sale" };
      const existing = await trx
        .selectFrom("refund_events")
        .select("id")
        .where("workspace_id", "=", refund.workspaceId)
        .where("processor", "=", refund.processor)
        .where("refund_key", "=", refund.refundKey)
        .executeTakeFirst();
      if (existing) return { kind: "duplicate", refundId: existing.id };
      if (refund.currency.toLowerCase() !== sale.original_currency.toLowerCase())
        return { kind: "currency", saleCurrency: sale.original_currency };

      // The customer row first, as every writer of a customer's conversions locks it: refunds of one sale queue here.
      await trx
        .updateTable("customers")
        .set({ updated_at: refund.timestamp })
        .where("workspace_id", "=", refund.workspaceId)
        .where("id", "=", sale.customer_id)
        .execute();
      const before = await refundedSoFar(trx, refund.workspaceId, sale.id);
      const left = Number(sale.original_amount) - before.original;
      const original = Math.min(refund.amount, left);
      if (original <= 0) return { kind: "exhausted" };
      const converted = Number(sale.converted) === 1;
      // In the sale's unit: its USD cents at the rate it was converted at, the last refund taking exactly the rest.
      const amount = !converted
        ? original
        : original === left
          ? Number(sale.amount) - before.amount
          : Math.round((original * Number(sale.amount)) / Number(sale.original_amount));
      const id = prefixedId("rfd");
      const {
        id: _sale,
        lead_event_id: _lead,
        event_name: _name,
        payment_processor: _p,
        invoice_id: _i,
        ...kept
      } = sale;
      await trx
        .insertInto("refund_events")
        .values({
          ...kept,
          id,
          sale_event_id: sale.id,
          processor: refund.processor,
          refund_key: refund.refundKey,
          timestamp: refund.timestamp,
          amount,
          currency: sale.currency,
          original_amount: original,
          original_currency: sale.original_currency,
          reason: refund.reason,
        })
        .execute();
      const usd = converted ? amount : 0;
      if (usd !== 0) await takeBack(trx, refund, sale, usd);
      return { kind: "recorded", refundId: id, amount: original, usdCents: converted ? usd : null };
    });
  }
}

type SaleRow = Awaited<ReturnType<typeof saleRowType>>;
const saleRowType = (db: Kysely<Database>) =>
  db.selectFrom("sale_events").selectAll().executeTakeFirstOrThrow();

/** Takes the refund's USD cents off the customer, the link and the rollups (at the refund's time, sales unchanged). */
async function takeBack(trx: Transaction<Database>, refund: RefundRecord, sale: SaleRow, usd: number) {
  await trx
    .updateTable("customers")
    .set((eb) => ({ sale_amount: eb("sale_amount", "-", usd) }))
    .where("workspace_id", "=", refund.workspaceId)
    .where("id", "=", sale.customer_id)
    .execute();
  const cells = saleRollup({ ...sale, timestamp: refund.timestamp, amount: -usd, converted: 1 });
  await applyRollups(trx, [{ ...cells, sales: 0 }], 1);
  await trx
    .updateTable("links")
    .set((eb) => ({ sale_amount: eb("sale_amount", "-", usd) }))
    .where("workspace_id", "=", refund.workspaceId)
    .where("id", "=", sale.link_id)
    .execute();
}

async function refundedSoFar(db: Kysely<Database>, workspaceId: string, saleEventId: string) {
  const row = await db
    .selectFrom("refund_events")
    .select([
      sql<number | string | null>`sum(original_amount)`.as("original"),
      sql<number | string | null>`sum(amount)`.as("amount"),
    ])
    .where("workspace_id", "=", workspaceId)
    .where("sale_event_id", "=", saleEventId)
    .executeTakeFirst();
  return { original: Number(row?.original ?? 0), amount: Number(row?.amount ?? 0) };
}
