import type { Announcer } from "../announcements.js";
import type { Clock } from "../clock.js";
import type { Customer } from "../customers/model.js";
import { newCustomer } from "../customers/new-customer.js";
import type { CustomerStore } from "../customers/ports.js";
import { notFound } from "../errors.js";
import { newEventId } from "../ids.js";
import type { Link } from "../links/model.js";
import type { LinkStore } from "../links/ports.js";
import type { WebhookPayloads } from "../webhooks/ports.js";
import type { Principal } from "../workspaces/model.js";
import type { ClickAttribution } from "./attribution.js";
import type { CurrencyConverter } from "./currency.js";
import { customerExternalId } from "./customer-id.js";
import { eventSlug, type LeadEvent, type PaymentProcessor } from "./model.js";
import type { ConversionStore, ConversionWriter, SaleReceiptWriter } from "./ports.js";

export const DIRECT_SALE_LEAD = "Direct sale tracking lead event";

export type TrackSaleInput = {
  customerExternalId?: string | null;
  externalId?: string | null;
  customerId?: string | null;
  amount: number;
  currency: string;
  eventName: string;
  paymentProcessor: PaymentProcessor;
  invoiceId?: string | null;
  metadata?: Record<string, unknown> | null;
  leadEventName?: string | null;
  clickId?: string | null;
  customerName?: string | null;
  customerEmail?: string | null;
  customerAvatar?: string | null;
};

export type SaleDeps = {
  customers: CustomerStore;
  conversions: ConversionStore;
  /** Where sales, and a direct sale's lead, are recorded. */
  recorder: ConversionWriter;
  links: LinkStore;
  attribution: ClickAttribution;
  currency: CurrencyConverter;
  events: WebhookPayloads;
  receipts: SaleReceiptWriter;
  clock: Clock;
  announcer: Announcer;
};

export class SaleService {
  constructor(private readonly deps: SaleDeps) {}

  /** Returns the JSON receipt to answer with: a repeated invoiceId gets the first receipt, byte for byte. */
  async track(principal: Principal, input: TrackSaleInput): Promise<string> {
    const workspaceId = principal.workspaceId;
    const externalId = customerExternalId(input);
    if (input.invoiceId) {
      const receipt = await this.deps.conversions.receiptForInvoice(workspaceId, input.invoiceId);
      if (receipt) return receipt;
    }
    const nothing = this.deps.receipts.write({ eventName: input.eventName, recorded: null });

    let customer = await this.deps.customers.findByExternalId(workspaceId, externalId);
    let lead: LeadEvent;
    let link: Link;
    if (customer) {
      // An empty leadEventName names no lead (and a lead event always has a name).
      ({ lead, link } = await this.leadOf(customer, input.leadEventName || null));
    } else {
      if (!input.clickId) return nothing;
      ({ customer, lead, link } = await this.directSaleLead(workspaceId, externalId, input));
    }
    if (input.amount <= 0) return nothing;

    const money = this.deps.currency.toUsd(input.amount, input.currency);
    const metadata = input.metadata ?? null;
    // An empty invoiceId is no invoice: claiming "" would replay the first such sale for every later one.
    const invoiceId = input.invoiceId || null;
    const receipt = this.deps.receipts.write({
      eventName: input.eventName,
      recorded: { customer, money, paymentProcessor: input.paymentProcessor, invoiceId, metadata },
    });
    const at = this.deps.clock.now();
    const usd = money.converted ? money.amount : 0;
    const result = await this.deps.recorder.recordSale({
      receipt,
      event: {
        ...lead,
        id: newEventId(),
        workspaceId,
        customerId: customer.id,
        leadEventId: lead.id,
        timestamp: at,
        eventName: input.eventName,
        money,
        paymentProcessor: input.paymentProcessor,
        invoiceId,
        metadata,
      },
      outbox: [
        this.deps.events.saleCreated({
          link,
          customer: {
            ...customer,
            sales: customer.sales + 1,
            saleAmount: customer.saleAmount + usd,
            firstSaleAt: customer.firstSaleAt ?? at,
          },
          attribution: lead,
          eventName: input.eventName,
          money,
          paymentProcessor: input.paymentProcessor,
          invoiceId,
          metadata,
          at,
        }),
      ],
    });
    if (!result.replayed) this.deps.announcer.announce({ type: "sale.tracked", money });
    return result.receipt;
  }

  /** The lead a known customer's sale is credited to: the latest, or the one named exactly. */
  private async leadOf(
    customer: Customer,
    leadEventName: string | null,
  ): Promise<{ lead: LeadEvent; link: Link }> {
    const lead = await this.deps.conversions.latestLead(customer.workspaceId, customer.id, leadEventName);
    if (!lead) {
      throw notFound(
        `Lead event not found for externalId: ${customer.externalId} and leadEventName: ${leadEventName}`,
      );
    }
    const link = await this.deps.links.findById(customer.workspaceId, lead.linkId);
    if (!link) throw notFound(`Link not found for customer ${customer.id}`);
    if (link.disabledAt !== null)
      throw notFound(`Link ${link.id} for customer ${customer.id} is disabled, sale not tracked`);
    return { lead, link };
  }

  /** A sale from a visitor never seen as a lead: the customer and its lead are created from the click. */
  private async directSaleLead(
    workspaceId: string,
    externalId: string,
    input: TrackSaleInput & { clickId?: string | null },
  ) {
    const click = await this.deps.attribution.resolve(workspaceId, input.clickId as string, "sale");
    const now = this.deps.clock.now();
    const candidate = newCustomer(
      {
        workspaceId,
        externalId,
        name: input.customerName,
        email: input.customerEmail,
        avatar: input.customerAvatar,
      },
      now,
      click,
    );
    const eventName = input.leadEventName || DIRECT_SALE_LEAD;
    const event: LeadEvent = {
      ...click.attribution,
      id: newEventId(),
      workspaceId,
      customerId: candidate.id,
      timestamp: now,
      eventName,
      metadata: input.metadata ?? null,
    };
    const { duplicate, customer } = await this.deps.recorder.recordLead({
      customer: candidate,
      slug: eventSlug(eventName),
      events: [event],
      outbox: (stored) => [
        this.deps.events.leadCreated({
          link: click.link,
          customer: stored,
          attribution: click.attribution,
          clickedAt: click.clickedAt,
          eventName,
          metadata: event.metadata,
          at: now,
        }),
      ],
    });
    if (!duplicate) {
      this.deps.announcer.announce({ type: "lead.tracked", events: 1 });
      return { customer, lead: { ...event, customerId: customer.id }, link: click.link };
    }
    return { customer, ...(await this.leadOf(customer, eventName)) };
  }
}
