import { type Kysely, type Selectable, sql, type Transaction } from "kysely";
import type { Attribution } from "../../domain/clicks/model.js";
import type { LeadEvent, SaleEvent } from "../../domain/conversions/model.js";
import type {
  ConversionStore,
  LeadRecord,
  RecordedLead,
  RecordedSale,
  SaleRecord,
} from "../../domain/conversions/ports.js";
import { notFound } from "../../domain/errors.js";
import { getOrCreateCustomers } from "./customer-store.js";
import { enqueueOutbox } from "./outbox.js";
import { applyRollups, leadRollup, saleRollup } from "./rollups.js";
import { executeRows, insertRows } from "./row-statements.js";
import type { AttributionColumns, Database, LeadEventRow } from "./schema.js";
import { transact } from "./transact.js";

export class SqlConversionStore implements ConversionStore {
  constructor(private readonly db: Kysely<Database>) {}

  async recordLead(lead: LeadRecord): Promise<RecordedLead> {
    return (await this.recordLeads([lead]))[0];
  }

  recordLeads(leads: readonly LeadRecord[]): Promise<RecordedLead[]> {
    return transact(this.db, async (trx) => {
      const customers = await getOrCreateCustomers(
        trx,
        leads.map((lead) => lead.customer),
      );
      const claimed = await claimLeads(
        trx,
        leads.map((lead, index) => ({
          workspace_id: customers[index].workspaceId,
          customer_id: customers[index].id,
          event_slug: lead.slug,
          created_at: lead.events[0].timestamp,
        })),
      );
      const recorded = leads.flatMap((lead, index) =>
        claimed[index] ? [{ lead, customer: customers[index] }] : [],
      );
      const rows = recorded.flatMap(({ lead, customer }) =>
        lead.events.map((event) => ({
          ...attributionColumns(event),
          id: event.id,
          workspace_id: event.workspaceId,
          customer_id: customer.id,
          timestamp: event.timestamp,
          event_name: event.eventName,
          metadata: event.metadata === null ? null : JSON.stringify(event.metadata),
        })),
      );
      await insertRows(trx, "lead_events", rows);
      await applyRollups(trx, rows.map(leadRollup), 1);
      for (const [linkId, { workspaceId, count, last }] of leadsPerLink(rows))
        await trx
          .updateTable("links")
          .set((eb) => ({
            leads: eb("leads", "+", count),
            last_lead_at: sql<number>`case when last_lead_at is null or last_lead_at < ${last} then ${last} else last_lead_at end`,
          }))
          .where("workspace_id", "=", workspaceId)
          .where("id", "=", linkId)
          .execute();
      await enqueueOutbox(
        trx,
        recorded.flatMap(({ lead, customer }) => lead.outbox?.(customer) ?? []),
      );
      return leads.map((_, index) => ({ duplicate: !claimed[index], customer: customers[index] }));
    });
  }

  async latestLead(
    workspaceId: string,
    customerId: string,
    eventName: string | null,
  ): Promise<LeadEvent | null> {
    let query = this.db
      .selectFrom("lead_events")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("customer_id", "=", customerId);
    if (eventName !== null) query = query.where("event_name", "=", eventName);
    const row = await query.orderBy("timestamp", "desc").orderBy("id", "desc").limit(1).executeTakeFirst();
    return row ? toLeadEvent(row) : null;
  }

  async receiptForInvoice(workspaceId: string, invoiceId: string): Promise<string | null> {
    const row = await this.db
      .selectFrom("sale_invoices")
      .select("receipt")
      .where("workspace_id", "=", workspaceId)
      .where("invoice_id", "=", invoiceId)
      .executeTakeFirst();
    return row?.receipt ?? null;
  }

  async recordSale(sale: SaleRecord): Promise<RecordedSale> {
    return (await this.recordSales([sale]))[0];
  }

  async recordSales(sales: readonly SaleRecord[]): Promise<RecordedSale[]> {
    const claimed = await transact(this.db, async (trx) => {
      const claimed = await claimInvoices(trx, sales);
      const recorded = sales.filter((_, index) => claimed[index]).map((sale) => sale.event);
      // The customers' rows first: they serialise a customer's concurrent sales, so the first-conversion check
      // below sees any sale committed before these, and every writer locks customers before links.
      await addToCustomers(trx, recorded);
      const firsts = await firstConversions(trx, recorded);
      const rows = recorded.map((event) => ({
        ...attributionColumns(event),
        id: event.id,
        workspace_id: event.workspaceId,
        customer_id: event.customerId,
        lead_event_id: event.leadEventId,
        timestamp: event.timestamp,
        event_name: event.eventName,
        amount: event.money.amount,
        currency: event.money.currency,
        converted: event.money.converted ? 1 : 0,
        original_amount: event.money.originalAmount,
        original_currency: event.money.originalCurrency,
        payment_processor: event.paymentProcessor,
        invoice_id: event.invoiceId,
        metadata: event.metadata === null ? null : JSON.stringify(event.metadata),
      }));
      await insertRows(trx, "sale_events", rows);
      await applyRollups(trx, rows.map(saleRollup), 1);
      for (const [linkId, link] of salesPerLink(recorded, firsts))
        await trx
          .updateTable("links")
          .set((eb) => ({
            sales: eb("sales", "+", link.count),
            sale_amount: eb("sale_amount", "+", link.usd),
            ...(link.conversions > 0
              ? {
                  conversions: eb("conversions", "+", link.conversions),
                  last_conversion_at: link.lastConversion,
                }
              : {}),
          }))
          .where("workspace_id", "=", link.workspaceId)
          .where("id", "=", linkId)
          .execute();
      await enqueueOutbox(
        trx,
        sales.flatMap((sale, index) => (claimed[index] ? (sale.outbox ?? []) : [])),
      );
      return claimed;
    });
    return Promise.all(
      sales.map(async ({ event, receipt }, index) => {
        if (claimed[index]) return { receipt, replayed: false };
        const first = await this.receiptForInvoice(event.workspaceId, event.invoiceId as string);
        if (first === null) throw new Error(`invoice ${event.invoiceId} was claimed but has no receipt`);
        return { receipt: first, replayed: true };
      }),
    );
  }
}

const CHUNK = 200;

type LeadClaim = { workspace_id: string; customer_id: string; event_slug: string; created_at: number };

/**
 * Whether each item wins its unique key: the first item of a key in the batch, if no earlier transaction claimed
 * that key. `claim` inserts the given items' keys (doing nothing on a conflict) and answers the keys it inserted;
 * it is called with the batch's first item of each key, in key order (one lock order for every writer), a chunk
 * at a time. An item whose key is null claims nothing and wins.
 */
async function claimFirsts<T>(
  items: readonly T[],
  keyOf: (item: T) => string | null,
  claim: (firsts: T[]) => Promise<string[]>,
): Promise<boolean[]> {
  const firsts = new Map<string, T>();
  for (const item of items) {
    const key = keyOf(item);
    if (key !== null && !firsts.has(key)) firsts.set(key, item);
  }
  const sorted = [...firsts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, item]) => item);
  const won = new Set<string>();
  for (let i = 0; i < sorted.length; i += CHUNK)
    for (const key of await claim(sorted.slice(i, i + CHUNK))) won.add(key);
  return items.map((item) => {
    const key = keyOf(item);
    return key === null || (won.has(key) && firsts.get(key) === item);
  });
}

const leadClaimKey = (claim: Pick<LeadClaim, "customer_id" | "event_slug">) =>
  `${claim.customer_id}\u0000${claim.event_slug}`;

/** Whether each lead is the first of its customer and slug: claimed here, and not earlier in the batch. */
function claimLeads(trx: Transaction<Database>, claims: readonly LeadClaim[]): Promise<boolean[]> {
  return claimFirsts(claims, leadClaimKey, async (firsts) => {
    const { rows } = await executeRows(trx, "lead_claims", firsts, (chunk) =>
      trx
        .insertInto("lead_claims")
        .values(chunk)
        .onConflict((oc) => oc.doNothing())
        .returning(["customer_id", "event_slug"]),
    );
    return rows.map(leadClaimKey);
  });
}

const invoiceKey = (workspaceId: string, invoiceId: string) => `${workspaceId}\u0000${invoiceId}`;

/**
 * Whether each sale is to be recorded: it has no invoice, or it is the first of its invoice (claimed here, and
 * not earlier in the batch). A claim keeps the sale's receipt, which a repeat of its invoice replays.
 */
function claimInvoices(trx: Transaction<Database>, sales: readonly SaleRecord[]): Promise<boolean[]> {
  const keyOf = ({ event }: SaleRecord) =>
    event.invoiceId === null ? null : invoiceKey(event.workspaceId, event.invoiceId);
  return claimFirsts(sales, keyOf, async (firsts) => {
    const claims = firsts.map(({ event, receipt }) => ({
      workspace_id: event.workspaceId,
      invoice_id: event.invoiceId as string,
      sale_event_id: event.id,
      receipt,
      created_at: event.timestamp,
    }));
    const { rows } = await executeRows(trx, "sale_invoices", claims, (chunk) =>
      trx
        .insertInto("sale_invoices")
        .values(chunk)
        .onConflict((oc) => oc.doNothing())
        .returning(["workspace_id", "invoice_id"]),
    );
    return rows.map((row) => invoiceKey(row.workspace_id, row.invoice_id));
  });
}

/** Adds the sales to their customers' counters, customer by customer in id order; a customer gone fails them all. */
async function addToCustomers(trx: Transaction<Database>, events: readonly SaleEvent[]): Promise<void> {
  const totals = new Map<
    string,
    { sales: number; usd: number; first: number; last: number; workspace_id: string; id: string }
  >();
  for (const event of events) {
    const key = `${event.workspaceId}\u0000${event.customerId}`;
    const total = totals.get(key) ?? {
      sales: 0,
      usd: 0,
      first: event.timestamp,
      last: event.timestamp,
      workspace_id: event.workspaceId,
      id: event.customerId,
    };
    total.sales += 1;
    total.usd += usdOf(event);
    total.first = Math.min(total.first, event.timestamp);
    total.last = Math.max(total.last, event.timestamp);
    totals.set(key, total);
  }
  for (const [, total] of [...totals].sort(([a], [b]) => (a < b ? -1 : 1))) {
    // Its parameters in the order of the row's columns, so that executeRows compiles it once.
    const customer = await executeRows(trx, "customer_sales", [total], ([row]) =>
      trx
        .updateTable("customers")
        .set((eb) => ({
          sales: eb("sales", "+", row.sales),
          sale_amount: eb("sale_amount", "+", row.usd),
          first_sale_at: sql<number>`coalesce(first_sale_at, ${row.first})`,
          updated_at: row.last,
        }))
        .where("workspace_id", "=", row.workspace_id)
        .where("id", "=", row.id),
    );
    // Deleted since the sale service found it: recording the sale now would bring back what was erased.
    if (Number(customer.numAffectedRows ?? 0) === 0) throw notFound("Customer not found.");
  }
}

/** Whether each sale is its customer's first on its link: none stored before, and none earlier in the batch. */
async function firstConversions(
  trx: Transaction<Database>,
  events: readonly SaleEvent[],
): Promise<boolean[]> {
  const pairOf = (customerId: string, linkId: string) => `${customerId}\u0000${linkId}`;
  const seen = new Set<string>();
  const byWorkspace = new Map<string, Set<string>>();
  for (const event of events) {
    const customers = byWorkspace.get(event.workspaceId) ?? new Set<string>();
    customers.add(event.customerId);
    byWorkspace.set(event.workspaceId, customers);
  }
  for (const [workspaceId, customers] of byWorkspace) {
    const ids = [...customers];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const earlier = await trx
        .selectFrom("sale_events")
        .select(["customer_id", "link_id"])
        .distinct()
        .where("workspace_id", "=", workspaceId)
        .where("customer_id", "in", ids.slice(i, i + CHUNK))
        .execute();
      for (const row of earlier) seen.add(pairOf(row.customer_id, row.link_id));
    }
  }
  return events.map((event) => {
    const pair = pairOf(event.customerId, event.linkId);
    if (seen.has(pair)) return false;
    seen.add(pair);
    return true;
  });
}

const usdOf = (event: SaleEvent) => (event.money.converted ? event.money.amount : 0);

/** Sales per link: how many, their USD, the first conversions among them and the latest of those; in link order. */
function salesPerLink(events: readonly SaleEvent[], firsts: readonly boolean[]) {
  const links = new Map<
    string,
    { workspaceId: string; count: number; usd: number; conversions: number; lastConversion: number }
  >();
  events.forEach((event, index) => {
    const link = links.get(event.linkId) ?? {
      workspaceId: event.workspaceId,
      count: 0,
      usd: 0,
      conversions: 0,
      lastConversion: 0,
    };
    link.count += 1;
    link.usd += usdOf(event);
    if (firsts[index]) {
      link.conversions += 1;
      link.lastConversion = Math.max(link.lastConversion, event.timestamp);
    }
    links.set(event.linkId, link);
  });
  return [...links].sort(([a], [b]) => (a < b ? -1 : 1));
}

/** Leads per link, and the latest of them, in link order (one lock order for every writer). */
function leadsPerLink(
  rows: readonly { workspace_id: string; link_id: string; timestamp: number }[],
): [string, { workspaceId: string; count: number; last: number }][] {
  const counts = new Map<string, { workspaceId: string; count: number; last: number }>();
  for (const row of rows) {
    const entry = counts.get(row.link_id) ?? { workspaceId: row.workspace_id, count: 0, last: 0 };
    entry.count += 1;
    entry.last = Math.max(entry.last, row.timestamp);
    counts.set(row.link_id, entry);
  }
  return [...counts].sort(([a], [b]) => (a < b ? -1 : 1));
}

function attributionColumns(a: Attribution): AttributionColumns {
  return {
    click_id: a.clickId,
    link_id: a.linkId,
    domain: a.domain,
    key: a.key,
    url: a.url,
    ip: a.ip,
    country: a.country,
    continent: a.continent,
    region: a.region,
    city: a.city,
    device: a.device,
    browser: a.browser,
    os: a.os,
    referer: a.referer,
    referer_url: a.refererUrl,
    qr: a.qr ? 1 : 0,
    trigger: a.trigger,
    utm_source: a.utmSource,
    utm_medium: a.utmMedium,
    utm_campaign: a.utmCampaign,
    utm_term: a.utmTerm,
    utm_content: a.utmContent,
  };
}

function toLeadEvent(row: Selectable<LeadEventRow>): LeadEvent {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    customerId: row.customer_id,
    timestamp: Number(row.timestamp),
    eventName: row.event_name,
    metadata: row.metadata === null ? null : JSON.parse(row.metadata),
    clickId: row.click_id,
    linkId: row.link_id,
    domain: row.domain,
    key: row.key,
    url: row.url,
    ip: row.ip,
    country: row.country,
    continent: row.continent,
    region: row.region,
    city: row.city,
    device: row.device,
    browser: row.browser,
    os: row.os,
    referer: row.referer,
    refererUrl: row.referer_url,
    qr: Boolean(row.qr),
    trigger: row.trigger,
    utmSource: row.utm_source,
    utmMedium: row.utm_medium,
    utmCampaign: row.utm_campaign,
    utmTerm: row.utm_term,
    utmContent: row.utm_content,
  };
}
