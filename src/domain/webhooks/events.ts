import { presentCustomer } from "../../wire/customer.js";
import { presentLink } from "../../wire/link.js";
import type { Attribution, Click } from "../clicks/model.js";
import type { Money, PaymentProcessor } from "../conversions/model.js";
import type { Customer } from "../customers/model.js";
import { alphanumeric } from "../ids.js";
import type { Link } from "../links/model.js";
import type { OutboxEvent, WebhookTrigger } from "./model.js";

const eventIdSuffix = alphanumeric(25);

type ClickFields = Omit<
  Attribution,
  | "clickId"
  | "linkId"
  | "domain"
  | "key"
  | "utmSource"
  | "utmMedium"
  | "utmCampaign"
  | "utmTerm"
  | "utmContent"
> & {
  id: string;
  timestamp: number;
  ua: string | null;
};

/** Dub's webhook payloads, built once per event; every webhook and every attempt sends these same bytes. */
export class WebhookEvents {
  constructor(private readonly protocol: string) {}

  leadCreated(input: {
    link: Link;
    customer: Customer;
    attribution: Attribution;
    clickedAt: number;
    eventName: string;
    metadata: Record<string, unknown> | null;
    at: number;
  }): OutboxEvent {
    return this.event("lead.created", input.link, input.at, {
      eventName: input.eventName,
      customer: this.customer(input.customer),
      click: this.click({
        ...input.attribution,
        id: input.attribution.clickId,
        timestamp: input.clickedAt,
        ua: null,
      }),
      link: presentLink(input.link, this.protocol),
      partner: null,
      metadata: input.metadata,
    });
  }

  saleCreated(input: {
    link: Link;
    customer: Customer;
    attribution: Attribution;
    eventName: string;
    money: Money;
    paymentProcessor: PaymentProcessor;
    invoiceId: string | null;
    metadata: Record<string, unknown> | null;
    at: number;
  }): OutboxEvent {
    const clickedAt = input.customer.clickedAt ?? input.customer.createdAt;
    return this.event("sale.created", input.link, input.at, {
      eventName: input.eventName,
      customer: this.customer(input.customer),
      click: this.click({
        ...input.attribution,
        id: input.attribution.clickId,
        timestamp: clickedAt,
        ua: null,
      }),
      link: presentLink(input.link, this.protocol),
      sale: {
        amount: input.money.amount,
        currency: input.money.currency,
        paymentProcessor: input.paymentProcessor,
        invoiceId: input.invoiceId,
      },
      partner: null,
      metadata: input.metadata,
    });
  }

  linkClicked(link: Link, click: Click): OutboxEvent {
    return this.event("link.clicked", link, click.timestamp, {
      click: this.click({ ...click, id: click.id, ua: click.ua }),
      link: presentLink(link, this.protocol),
    });
  }

  linkChanged(
    trigger: "link.created" | "link.updated" | "link.deleted",
    link: Link,
    at: number,
  ): OutboxEvent {
    return this.event(trigger, link, at, presentLink(link, this.protocol));
  }

  private event(trigger: WebhookTrigger, link: Link, at: number, data: unknown): OutboxEvent {
    const eventId = `evt_${eventIdSuffix()}`;
    return {
      workspaceId: link.workspaceId,
      trigger,
      linkId: link.id,
      eventId,
      payload: JSON.stringify({ id: eventId, event: trigger, createdAt: new Date(at).toISOString(), data }),
      createdAt: at,
    };
  }

  /** Dub's webhook customer: the stored customer without `country` (Dub's transform removes it). */
  /** Dub's customer without `country`, which its webhooks leave out. */
  private customer(customer: Customer) {
    const { country: _country, ...withoutCountry } = presentCustomer(customer);
    return withoutCountry;
  }

  private click(click: ClickFields) {
    return {
      id: click.id,
      timestamp: new Date(click.timestamp).toISOString(),
      url: click.url,
      country: click.country,
      city: click.city,
      region: click.region,
      continent: click.continent,
      device: click.device,
      browser: click.browser,
      os: click.os,
      ua: click.ua,
      trigger: click.trigger,
      referer: click.referer,
      refererUrl: click.refererUrl,
      qr: click.qr,
      ip: click.ip,
    };
  }
}
