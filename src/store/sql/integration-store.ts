import { createHash } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import type {
  EventListing,
  EventStatus,
  Integration,
  IntegrationEvent,
  Outcome,
  Processor,
  ReceivedEvent,
} from "../../domain/integrations/model.js";
import type { DueEvent, EventKey, IntegrationStore } from "../../domain/integrations/ports.js";
import type { Database, IntegrationTables } from "./schema.js";

type EventRow = Selectable<IntegrationTables["integration_events"]>;
type IntegrationRow = Selectable<IntegrationTables["integrations"]>;

export class SqlIntegrationStore implements IntegrationStore {
  constructor(private readonly db: Kysely<Database>) {}

  async save(
    workspaceId: string,
    processor: Processor,
    secret: string,
    at: number,
    previousUntil: number | null,
  ): Promise<Integration> {
    const row = await this.db
      .insertInto("integrations")
      .values({
        workspace_id: workspaceId,
        processor,
        secret,
        previous_secret: null,
        previous_secret_until: null,
        created_at: at,
        updated_at: at,
      })
      .onConflict((oc) =>
        oc.columns(["workspace_id", "processor"]).doUpdateSet((eb) => ({
          previous_secret: previousUntil === null ? null : eb.ref("integrations.secret"),
          previous_secret_until: previousUntil,
          secret: eb.ref("excluded.secret"),
          updated_at: at,
        })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return toIntegration(row);
  }

  async list(workspaceId: string): Promise<Integration[]> {
    const rows = await this.db
      .selectFrom("integrations")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .orderBy("processor")
      .execute();
    return rows.map(toIntegration);
  }

  async remove(workspaceId: string, processor: Processor): Promise<boolean> {
    const result = await this.db
      .deleteFrom("integrations")
      .where("workspace_id", "=", workspaceId)
      .where("processor", "=", processor)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async secrets(workspaceId: string, processor: Processor, now: number): Promise<string[] | null> {
    const row = await this.db
      .selectFrom("integrations")
      .select(["secret", "previous_secret", "previous_secret_until"])
      .where("workspace_id", "=", workspaceId)
      .where("processor", "=", processor)
      .executeTakeFirst();
    if (!row) return null;
    const previousValid = row.previous_secret !== null && Number(row.previous_secret_until) > now;
    return previousValid ? [row.secret, row.previous_secret as string] : [row.secret];
  }

  async receive(
    workspaceId: string,
    processor: Processor,
    event: ReceivedEvent,
    at: number,
  ): Promise<{ duplicate: boolean }> {
    const inserted = await this.db
      .insertInto("integration_events")
      .values({
        workspace_id: workspaceId,
        processor,
        event_id: event.eventId,
        type: event.type,
        payload: event.payload,
        livemode: event.livemode ? 1 : 0,
        received_at: at,
        status: "received",
        reason: null,
        awaiting: null,
        sale_event_id: null,
        refund_id: null,
        customer_id: null,
        invoice_id: null,
        attempts: 0,
        lease_until: null,
        processed_at: null,
      })
      .onConflict((oc) => oc.doNothing())
      .returning("event_id")
      .executeTakeFirst();
    return { duplicate: inserted === undefined };
  }

  async claimDue(now: number, leaseUntil: number, limit: number): Promise<DueEvent[]> {
    const candidates = await this.db
      .selectFrom("integration_events")
      .select(["workspace_id", "processor", "event_id"])
      .where("status", "=", "received")
      .where((w) => w.or([w("lease_until", "is", null), w("lease_until", "<=", now)]))
      .orderBy("received_at")
      .limit(limit)
      .execute();
    const claimed: DueEvent[] = [];
    for (const candidate of candidates) {
      // Re-checked in the update itself, so two workers never both take one event.
      const row = await this.db
        .updateTable("integration_events")
        .set({ lease_until: leaseUntil })
        .where("workspace_id", "=", candidate.workspace_id)
        .where("processor", "=", candidate.processor)
        .where("event_id", "=", candidate.event_id)
        .where("status", "=", "received")
        .where((w) => w.or([w("lease_until", "is", null), w("lease_until", "<=", now)]))
        .returningAll()
        .executeTakeFirst();
      if (row) claimed.push({ ...toEvent(row), payload: row.payload });
    }
    return claimed;
  }

  async finish(key: EventKey, outcome: Outcome, at: number): Promise<void> {
    await this.whereKey(this.db.updateTable("integration_events"), key)
      .set({
        status: outcome.status,
        reason: outcome.reason ?? null,
        awaiting: outcome.status === "parked" ? outcome.awaiting : null,
        sale_event_id: "saleEventId" in outcome ? (outcome.saleEventId ?? null) : null,
        refund_id: outcome.status === "refund" ? outcome.refundId : null,
        customer_id: "customerId" in outcome ? (outcome.customerId ?? null) : null,
        invoice_id: "invoiceId" in outcome ? (outcome.invoiceId ?? null) : null,
        lease_until: null,
        processed_at: at,
        attempts: (eb) => eb("attempts", "+", 1),
      })
      .execute();
  }

  async release(key: EventKey, error: string, at: number, giveUp: boolean): Promise<void> {
    await this.whereKey(this.db.updateTable("integration_events"), key)
      .set({
        status: giveUp ? "failed" : "received",
        reason: error.slice(0, 500),
        processed_at: giveUp ? at : null,
        attempts: (eb) => eb("attempts", "+", 1),
      })
      .execute();
  }

  async wakeParked(workspaceId: string, processor: Processor, keys: string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const result = await this.db
      .updateTable("integration_events")
      .set({ status: "received", awaiting: null, lease_until: null })
      .where("workspace_id", "=", workspaceId)
      .where("processor", "=", processor)
      .where("status", "=", "parked")
      .where("awaiting", "in", keys)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async listEvents(workspaceId: string, listing: EventListing): Promise<IntegrationEvent[]> {
    let query = this.db.selectFrom("integration_events").selectAll().where("workspace_id", "=", workspaceId);
    if (listing.processor) query = query.where("processor", "=", listing.processor);
    if (listing.status) query = query.where("status", "=", listing.status);
    const before = listing.before;
    if (before) {
      query = query.where((w) =>
        w.or([
          w("received_at", "<", before.receivedAt),
          w.and([w("received_at", "=", before.receivedAt), w("event_id", "<", before.eventId)]),
        ]),
      );
    }
    const rows = await query
      .orderBy("received_at", "desc")
      .orderBy("event_id", "desc")
      .limit(listing.limit)
      .execute();
    return rows.map(toEvent);
  }

  async getEvent(key: EventKey): Promise<IntegrationEvent | null> {
    const row = await this.whereKey(
      this.db.selectFrom("integration_events").selectAll(),
      key,
    ).executeTakeFirst();
    return row ? toEvent(row) : null;
  }

  async linkCustomer(
    workspaceId: string,
    processor: Processor,
    processorCustomerId: string,
    customerId: string,
    at: number,
  ): Promise<void> {
    await this.db
      .insertInto("integration_customers")
      .values({
        workspace_id: workspaceId,
        processor,
        processor_customer_id: processorCustomerId,
        customer_id: customerId,
        created_at: at,
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
    if (processor !== "stripe") return;
    // The customer's `stripeCustomerId`: its first Stripe customer, if that one is linked to it (first link kept)
    // and no other customer shows it (set through PATCH /customers/{id}).
    await this.db
      .updateTable("customers")
      .set({ stripe_customer_id: processorCustomerId })
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", customerId)
      .where("stripe_customer_id", "is", null)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom("integration_customers")
            .select("customer_id")
            .where("workspace_id", "=", workspaceId)
            .where("processor", "=", processor)
            .where("processor_customer_id", "=", processorCustomerId)
            .where("customer_id", "=", customerId),
        ),
      )
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom("customers as other")
              .select("other.id")
              .where("other.workspace_id", "=", workspaceId)
              .where("other.stripe_customer_id", "=", processorCustomerId),
          ),
        ),
      )
      .execute();
  }

  async customerFor(
    workspaceId: string,
    processor: Processor,
    processorCustomerId: string,
  ): Promise<string | null> {
    const row = await this.db
      .selectFrom("integration_customers")
      .select("customer_id")
      .where("workspace_id", "=", workspaceId)
      .where("processor", "=", processor)
      .where("processor_customer_id", "=", processorCustomerId)
      .executeTakeFirst();
    return row?.customer_id ?? null;
  }

  async linkedCustomers(workspaceId: string, processor: Processor): Promise<string[]> {
    const rows = await this.db
      .selectFrom("integration_customers")
      .select("customer_id")
      .distinct()
      .where("workspace_id", "=", workspaceId)
      .where("processor", "=", processor)
      .execute();
    return rows.map((row) => row.customer_id);
  }

  async linkPayment(
    workspaceId: string,
    processor: Processor,
    paymentKey: string,
    invoiceId: string,
    at: number,
  ): Promise<void> {
    await this.db
      .insertInto("integration_payments")
      .values({
        workspace_id: workspaceId,
        processor,
        payment_key: paymentKey,
        invoice_id: invoiceId,
        created_at: at,
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  async invoiceForPayment(
    workspaceId: string,
    processor: Processor,
    paymentKey: string,
  ): Promise<string | null> {
    const row = await this.db
      .selectFrom("integration_payments")
      .select("invoice_id")
      .where("workspace_id", "=", workspaceId)
      .where("processor", "=", processor)
      .where("payment_key", "=", paymentKey)
      .executeTakeFirst();
    return row?.invoice_id ?? null;
  }

  // biome-ignore lint/suspicious/noExplicitAny: a select or an update of integration_events alike
  private whereKey<Q extends { where: any }>(query: Q, key: EventKey): Q {
    return query
      .where("workspace_id", "=", key.workspaceId)
      .where("processor", "=", key.processor)
      .where("event_id", "=", key.eventId);
  }
}

function toIntegration(row: IntegrationRow): Integration {
  return {
    workspaceId: row.workspace_id,
    processor: row.processor as Processor,
    secretFingerprint: createHash("sha256").update(row.secret).digest("hex").slice(0, 12),
    previousSecretUntil: row.previous_secret_until === null ? null : Number(row.previous_secret_until),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function toEvent(row: EventRow): IntegrationEvent {
  return {
    workspaceId: row.workspace_id,
    processor: row.processor as Processor,
    eventId: row.event_id,
    type: row.type,
    livemode: Number(row.livemode) === 1,
    receivedAt: Number(row.received_at),
    status: row.status as EventStatus,
    reason: row.reason,
    saleEventId: row.sale_event_id,
    refundId: row.refund_id,
    customerId: row.customer_id,
    invoiceId: row.invoice_id,
    attempts: Number(row.attempts),
    processedAt: row.processed_at === null ? null : Number(row.processed_at),
  };
}
