import type { Click } from "../clicks/model.js";
import type { Customer } from "../customers/model.js";
import { newLink } from "../links/model.js";
import type { OutboxEvent, WebhookTrigger } from "./model.js";
import type { WebhookPayloads } from "./ports.js";

/** A realistic event of `trigger` with made-up data, for `clicktrail webhooks test`. */
export function sampleEvent(
  events: WebhookPayloads,
  workspaceId: string,
  trigger: WebhookTrigger,
  now = Date.now(),
): OutboxEvent {
  const link = newLink({
    id: "link_SAMPLE",
    workspaceId,
    domain: "go.example.com",
    key: "sample",
    url: "https://example.com/pricing?utm_source=newsletter",
    trackConversion: true,
    title: "Sample link",
    utmSource: "newsletter",
    tags: [{ id: "tag_SAMPLE", name: "Newsletter", color: "blue" }],
    clicks: 12,
    leads: 3,
    conversions: 1,
    sales: 1,
    saleAmount: 4900,
    lastClicked: now,
    createdAt: now - 86_400_000,
    updatedAt: now,
  });
  const click: Click = {
    id: "SampleClickId123",
    workspaceId,
    linkId: link.id,
    timestamp: now - 60_000,
    identityHash: "",
    domain: link.domain,
    key: link.key,
    url: link.url,
    ip: "203.0.113.7",
    country: "US",
    continent: "NA",
    region: "Unknown",
    city: "Unknown",
    device: "Desktop",
    browser: "Chrome",
    os: "Mac OS",
    engine: "Blink",
    ua: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    referer: "(direct)",
    refererUrl: "(direct)",
    qr: false,
    trigger: "link",
    utmSource: "newsletter",
    utmMedium: null,
    utmCampaign: null,
    utmTerm: null,
    utmContent: null,
  };
  const customer: Customer = {
    id: "cus_SAMPLE",
    workspaceId,
    externalId: "user_42",
    name: "Ada Lovelace",
    email: "ada@example.com",
    avatar: null,
    country: "US",
    clickId: click.id,
    linkId: link.id,
    clickedAt: click.timestamp,
    sales: 1,
    saleAmount: 4900,
    firstSaleAt: now,
    stripeCustomerId: null,
    createdAt: now - 30_000,
    updatedAt: now,
  };
  const attribution = { ...click, clickId: click.id };
  switch (trigger) {
    case "link.clicked":
      return events.linkClicked(link, click);
    case "lead.created":
      return events.leadCreated({
        link,
        customer,
        attribution,
        clickedAt: click.timestamp,
        eventName: "Sign up",
        metadata: null,
        at: now,
      });
    case "sale.created":
      return events.saleCreated({
        link,
        customer,
        attribution,
        eventName: "Purchase",
        money: {
          amount: 4900,
          currency: "usd",
          converted: true,
          originalAmount: 4900,
          originalCurrency: "usd",
        },
        paymentProcessor: "stripe",
        invoiceId: "in_SAMPLE",
        metadata: null,
        at: now,
      });
    default:
      return events.linkChanged(trigger, link, now);
  }
}
