import type { Click } from "../domain/clicks/model.js";
import type { Customer } from "../domain/customers/model.js";
import { alphanumeric } from "../domain/ids.js";
import type { Link } from "../domain/links/model.js";
import type { OutboxEvent, WebhookTrigger } from "../domain/webhooks/model.js";
import type { LeadCreated, LinkChange, SaleCreated, WebhookPayloads } from "../domain/webhooks/ports.js";
import { presentClick } from "./click.js";
import { presentCustomer } from "./customer.js";
import { iso } from "./iso.js";
import { presentLink } from "./link.js";

const eventIdSuffix = alphanumeric(25);

/** Dub's webhook payloads: `{ id, event, createdAt, data }`, with the link, customer and click as the API shows them. */
export class DubWebhookPayloads implements WebhookPayloads {
  constructor(private readonly protocol: string) {}

  leadCreated(lead: LeadCreated): OutboxEvent {
    return this.event("lead.created", lead.link, lead.at, {
      eventName: lead.eventName,
      customer: webhookCustomer(lead.customer),
      click: presentClick(lead.attribution.clickId, lead.clickedAt, lead.attribution, null),
      link: presentLink(lead.link, this.protocol),
      partner: null,
      metadata: lead.metadata,
    });
  }

  saleCreated(sale: SaleCreated): OutboxEvent {
    const clickedAt = sale.customer.clickedAt ?? sale.customer.createdAt;
    return this.event("sale.created", sale.link, sale.at, {
      eventName: sale.eventName,
      customer: webhookCustomer(sale.customer),
      click: presentClick(sale.attribution.clickId, clickedAt, sale.attribution, null),
      link: presentLink(sale.link, this.protocol),
      sale: {
        amount: sale.money.amount,
        currency: sale.money.currency,
        paymentProcessor: sale.paymentProcessor,
        invoiceId: sale.invoiceId,
      },
      partner: null,
      metadata: sale.metadata,
    });
  }

  linkClicked(link: Link, click: Click): OutboxEvent {
    return this.event("link.clicked", link, click.timestamp, {
      click: presentClick(click.id, click.timestamp, click, click.ua),
      link: presentLink(link, this.protocol),
    });
  }

  linkChanged(trigger: LinkChange, link: Link, at: number): OutboxEvent {
    return this.event(trigger, link, at, presentLink(link, this.protocol));
  }

  private event(trigger: WebhookTrigger, link: Link, at: number, data: unknown): OutboxEvent {
    const eventId = `evt_${eventIdSuffix()}`;
    return {
      workspaceId: link.workspaceId,
      trigger,
      linkId: link.id,
      eventId,
      payload: JSON.stringify({ id: eventId, event: trigger, createdAt: iso(at), data }),
      createdAt: at,
    };
  }
}

/** Dub's customer without `country`, which its webhooks leave out. */
function webhookCustomer(customer: Customer) {
  const { country: _country, ...withoutCountry } = presentCustomer(customer);
  return withoutCountry;
}
