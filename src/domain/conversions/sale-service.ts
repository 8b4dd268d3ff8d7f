import type { Clock } from "../../infra/clock.js";
import { newEventId } from "../../infra/ids.js";
import type { Customer } from "../customers/model.js";
import { newCustomer } from "../customers/new-customer.js";
import type { CustomerStore } from "../customers/ports.js";
import { notFound } from "../errors.js";
import type { LinkStore } from "../links/ports.js";
import type { Principal } from "../workspaces/model.js";
import type { ClickAttribution } from "./attribution.js";
import type { CurrencyConverter } from "./currency.js";
import { customerExternalId } from "./customer-id.js";
import { eventSlug, type LeadEvent, type PaymentProcessor } from "./model.js";
import type { ConversionStore } from "./ports.js";

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

export class SaleService {
  constructor(
    private readonly customers: CustomerStore,
    private readonly conversions: ConversionStore,
    private readonly links: LinkStore,
    private readonly attribution: ClickAttribution,
    private readonly currency: CurrencyConverter,
    private readonly clock: Clock,
    private readonly onTracked: (kind: "lead" | "sale") => void = () => {},
  ) {}

  /** Returns the JSON receipt to answer with: a repeated invoiceId gets the first receipt, byte for byte. */
  async track(principal: Principal, input: TrackSaleInput): Promise<string> {
    const workspaceId = principal.workspaceId;
    const externalId = customerExternalId(input);
    if (input.invoiceId) {
      const receipt = await this.conversions.receiptForInvoice(workspaceId, input.invoiceId);
      if (receipt) return receipt;
    }
    const nothing = JSON.stringify({ eventName: input.eventName, customer: null, sale: null });

    let customer = await this.customers.findByExternalId(workspaceId, externalId);
    let lead: LeadEvent;
    if (customer) {
      // An empty leadEventName names no lead (and a lead event always has a name).
      lead = await this.leadOf(customer, input.leadEventName || null);
    } else {
      if (!input.clickId) return nothing;
      ({ customer, lead } = await this.directSaleLead(workspaceId, externalId, input));
    }
    if (input.amount <= 0) return nothing;

    const money = this.currency.toUsd(input.amount, input.currency);
    const metadata = input.metadata ?? null;
    // An empty invoiceId is no invoice: claiming "" would replay the first such sale for every later one.
    const invoiceId = input.invoiceId || null;
    const receipt = JSON.stringify({
      eventName: input.eventName,
      customer: {
        id: customer.id,
        externalId: customer.externalId,
        name: customer.name,
        email: customer.email,
        avatar: customer.avatar,
      },
      sale: {
        amount: money.amount,
        currency: money.currency,
        paymentProcessor: input.paymentProcessor,
        invoiceId,
        metadata,
      },
    });
    const result = await this.conversions.recordSale({
      receipt,
      event: {
        ...lead,
        id: newEventId(),
        workspaceId,
        customerId: customer.id,
        leadEventId: lead.id,
        timestamp: this.clock.now(),
        eventName: input.eventName,
        money,
        paymentProcessor: input.paymentProcessor,
        invoiceId,
        metadata,
      },
    });
    if (!result.replayed) this.onTracked("sale");
    return result.receipt;
  }

  /** The lead a known customer's sale is credited to: the latest, or the one named exactly. */
  private async leadOf(customer: Customer, leadEventName: string | null): Promise<LeadEvent> {
    const lead = await this.conversions.latestLead(customer.workspaceId, customer.id, leadEventName);
    if (!lead) {
      throw notFound(
        `Lead event not found for externalId: ${customer.externalId} and leadEventName: ${leadEventName}`,
      );
    }
    const link = await this.links.findById(customer.workspaceId, lead.linkId);
    if (!link) throw notFound(`Link not found for customer ${customer.id}`);
    if (link.disabledAt !== null)
      throw notFound(`Link ${link.id} for customer ${customer.id} is disabled, sale not tracked`);
    return lead;
  }

  /** A sale from a visitor never seen as a lead: the customer and its lead are created from the click. */
  private async directSaleLead(
    workspaceId: string,
    externalId: string,
    input: TrackSaleInput & { clickId?: string | null },
  ) {
    const click = await this.attribution.resolve(workspaceId, input.clickId as string, "sale");
    const now = this.clock.now();
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
    const { duplicate, customer } = await this.conversions.recordLead({
      customer: candidate,
      slug: eventSlug(eventName),
      events: [event],
    });
    if (!duplicate) {
      this.onTracked("lead");
      return { customer, lead: { ...event, customerId: customer.id } };
    }
    return { customer, lead: await this.leadOf(customer, eventName) };
  }
}
