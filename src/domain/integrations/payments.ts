import type { LeadService } from "../conversions/lead-service.js";
import type { SaleService } from "../conversions/sale-service.js";
import type { Customer } from "../customers/model.js";
import type { CustomerStore } from "../customers/ports.js";
import type { Principal } from "../workspaces/model.js";
import type { Outcome, Processor } from "./model.js";
import type { IntegrationStore, RefundStore } from "./ports.js";

export type PaymentDeps = {
  store: IntegrationStore;
  customers: CustomerStore;
  ledger: RefundStore;
  leads: LeadService;
  sales: SaleService;
  clock: { now(): number };
};

/** A sale a processor reported, in ISO 4217 minor units, under the id that dedupes it. */
export type PaidSale = {
  customer: Customer;
  amount: number;
  currency: string;
  eventName: string;
  invoiceId: string;
  /** Payment ids (Stripe `pi_…`) whose refunds this sale takes. */
  payments: string[];
  metadata?: Record<string, unknown> | null;
};

/** Records leads, sales and links for one workspace's processor events, through the same services as the API. */
export class Payments {
  constructor(
    private readonly deps: PaymentDeps,
    readonly processor: Processor,
  ) {}

  principal(workspaceId: string): Principal {
    return { workspaceId, keyId: `integration:${this.processor}`, scopes: null, userId: null, role: null };
  }

  findByExternalId(workspaceId: string, externalId: string) {
    return this.deps.customers.findByExternalId(workspaceId, externalId);
  }

  /**
   * The customer the processor's own customer id was linked to, if any. A Stripe customer goes first to the
   * customer that shows it as `stripeCustomerId` (its first link, or what `PATCH /customers/{id}` set).
   */
  async linkedCustomer(workspaceId: string, processorCustomerId: string): Promise<Customer | null> {
    if (this.processor === "stripe") {
      const shown = await this.deps.customers.findByStripeCustomerId(workspaceId, processorCustomerId);
      if (shown) return shown;
    }
    const id = await this.deps.store.customerFor(workspaceId, this.processor, processorCustomerId);
    return id ? this.deps.customers.findById(workspaceId, id) : null;
  }

  /** Ties the processor's customer to ours, and wakes the events that were waiting for it. */
  async linkCustomer(workspaceId: string, processorCustomerId: string, customerId: string): Promise<void> {
    await this.deps.store.linkCustomer(
      workspaceId,
      this.processor,
      processorCustomerId,
      customerId,
      this.deps.clock.now(),
    );
    await this.deps.store.wakeParked(workspaceId, this.processor, [processorCustomerId]);
  }

  /** A lead for the click (the customer created from it), as `track.lead` records one; the stored customer. */
  async lead(
    workspaceId: string,
    input: {
      clickId: string;
      externalId: string;
      eventName: string;
      name?: string | null;
      email?: string | null;
    },
  ): Promise<Customer> {
    const { customer } = await this.deps.leads.track(this.principal(workspaceId), {
      clickId: input.clickId,
      eventName: input.eventName,
      customerExternalId: input.externalId,
      customerName: input.name,
      customerEmail: input.email,
      mode: "wait",
    });
    return customer;
  }

  /**
   * Records the sale as `track.sale` does (same invoice dedupe, webhooks, rollups), ties its payments to it, and
   * wakes the events (refunds) that were waiting for them.
   */
  async sale(workspaceId: string, sale: PaidSale): Promise<Outcome> {
    const already = await this.deps.ledger.saleForInvoice(workspaceId, sale.invoiceId);
    if (!already) {
      await this.deps.sales.track(this.principal(workspaceId), {
        customerExternalId: sale.customer.externalId,
        amount: sale.amount,
        currency: sale.currency,
        eventName: sale.eventName,
        paymentProcessor: this.processor,
        invoiceId: sale.invoiceId,
        metadata: sale.metadata ?? null,
      });
    }
    const recorded = await this.deps.ledger.saleForInvoice(workspaceId, sale.invoiceId);
    const now = this.deps.clock.now();
    for (const payment of sale.payments)
      await this.deps.store.linkPayment(workspaceId, this.processor, payment, sale.invoiceId, now);
    await this.deps.store.wakeParked(workspaceId, this.processor, sale.payments);
    return {
      status: "sale",
      saleEventId: recorded?.id ?? null,
      invoiceId: sale.invoiceId,
      customerId: sale.customer.id,
      ...(already ? { reason: `a sale was already recorded under invoiceId ${sale.invoiceId}` } : {}),
    };
  }

  /** Ties a payment to the invoice its sale is recorded under, and wakes what waited for it. */
  async linkPayment(workspaceId: string, payment: string, invoiceId: string): Promise<void> {
    await this.deps.store.linkPayment(workspaceId, this.processor, payment, invoiceId, this.deps.clock.now());
    await this.deps.store.wakeParked(workspaceId, this.processor, [payment]);
  }

  invoiceForPayment(workspaceId: string, payment: string) {
    return this.deps.store.invoiceForPayment(workspaceId, this.processor, payment);
  }

  saleForInvoice(workspaceId: string, invoiceId: string) {
    return this.deps.ledger.saleForInvoice(workspaceId, invoiceId);
  }

  /** Erases the customers linked to these processor customers (all of the processor's, when null): how many. */
  async erase(workspaceId: string, processorCustomerIds: string[] | null): Promise<number> {
    const ids =
      processorCustomerIds === null
        ? await this.deps.store.linkedCustomers(workspaceId, this.processor)
        : (
            await Promise.all(
              processorCustomerIds.map((id) => this.deps.store.customerFor(workspaceId, this.processor, id)),
            )
          ).filter((id): id is string => id !== null);
    let erased = 0;
    for (const id of new Set(ids)) if (await this.deps.customers.erase(workspaceId, id)) erased += 1;
    return erased;
  }

  refundedOf(workspaceId: string, saleEventId: string) {
    return this.deps.ledger.refundedOf(workspaceId, saleEventId);
  }

  /**
   * A refund of the sale paid by `payment`: parked until that sale is recorded (a refund can arrive first, or be
   * of a payment Clicktrail never saw: it then stays parked, listed with why).
   */
  async refund(
    workspaceId: string,
    input: { payment: string; refundKey: string; amount: number; currency: string; reason: string | null },
  ): Promise<Outcome> {
    const invoiceId = await this.invoiceForPayment(workspaceId, input.payment);
    const sale = invoiceId ? await this.saleForInvoice(workspaceId, invoiceId) : null;
    if (!sale)
      return {
        status: "parked",
        awaiting: input.payment,
        reason: `no sale is recorded for ${input.payment} (yet): the refund is applied when it is`,
      };
    const result = await this.deps.ledger.recordRefund({
      workspaceId,
      saleEventId: sale.id,
      processor: this.processor,
      refundKey: input.refundKey,
      amount: input.amount,
      currency: input.currency,
      timestamp: this.deps.clock.now(),
      reason: input.reason,
    });
    const base = { saleEventId: sale.id, customerId: sale.customerId };
    switch (result.kind) {
      case "recorded":
        return {
          status: "refund",
          refundId: result.refundId,
          ...base,
          ...(result.amount < input.amount
            ? { reason: `only ${result.amount} of ${input.amount} was left of the sale to refund` }
            : {}),
        };
      case "duplicate":
        return {
          status: "refund",
          refundId: result.refundId,
          ...base,
          reason: "this refund was already recorded",
        };
      case "exhausted":
        return { status: "ignored", reason: `sale ${sale.id} is refunded in full already` };
      case "currency":
        return {
          status: "ignored",
          reason: `the refund is in ${input.currency}, the sale in ${result.saleCurrency}`,
        };
      case "no-sale":
        return { status: "ignored", reason: `sale ${sale.id} no longer exists` };
    }
  }
}
