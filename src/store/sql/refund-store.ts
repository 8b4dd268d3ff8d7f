import type { Kysely } from "kysely";
import type { SaleLedger, SaleRef } from "../../domain/integrations/ports.js";
import type { Database } from "./schema.js";

export class SqlRefundStore implements SaleLedger {
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
}
