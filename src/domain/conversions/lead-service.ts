import type { Announcer } from "../announcements.js";
import type { Clock } from "../clock.js";
import type { Customer } from "../customers/model.js";
import { newCustomer } from "../customers/new-customer.js";
import type { CustomerStore } from "../customers/ports.js";
import { badRequest } from "../errors.js";
import { newEventId } from "../ids.js";
import type { Link } from "../links/model.js";
import type { WebhookPayloads } from "../webhooks/ports.js";
import type { Principal } from "../workspaces/model.js";
import type { ClickAttribution } from "./attribution.js";
import { customerExternalId } from "./customer-id.js";
import { eventSlug, type LeadEvent } from "./model.js";
import type { ConversionWriter } from "./ports.js";

export type TrackLeadInput = {
  clickId?: string | null;
  eventName: string;
  customerExternalId?: string | null;
  externalId?: string | null;
  customerId?: string | null;
  customerName?: string | null;
  customerEmail?: string | null;
  customerAvatar?: string | null;
  mode: "async" | "wait" | "deferred";
  eventQuantity?: number | null;
  metadata?: Record<string, unknown> | null;
};

/** `link` is null when the lead was a duplicate and nothing was recorded. */
export type TrackedLead = { clickId: string; link: Link | null; customer: Customer };

export class LeadService {
  constructor(
    private readonly customers: CustomerStore,
    private readonly recorder: ConversionWriter,
    private readonly attribution: ClickAttribution,
    private readonly events: WebhookPayloads,
    private readonly clock: Clock,
    private readonly announcer: Announcer,
  ) {}

  async track(principal: Principal, input: TrackLeadInput): Promise<TrackedLead> {
    const workspaceId = principal.workspaceId;
    const externalId = customerExternalId(input);
    const existing = await this.customers.findByExternalId(workspaceId, externalId);
    const clickId = input.clickId || existing?.clickId;
    if (!clickId) {
      throw badRequest(
        "The `clickId` property was not provided in the request, and no existing customer with the provided `customerExternalId` was found.",
      );
    }
    const click = await this.attribution.resolve(workspaceId, clickId, "lead");
    const now = this.clock.now();
    const candidate =
      existing ??
      newCustomer(
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

    if (input.mode === "deferred") {
      const customer = await this.customers.getOrCreate(candidate);
      return { clickId, link: click.link, customer };
    }

    const events: LeadEvent[] = Array.from({ length: input.eventQuantity ?? 1 }, () => ({
      ...click.attribution,
      id: newEventId(),
      workspaceId,
      customerId: candidate.id,
      timestamp: now,
      eventName: input.eventName,
      metadata: input.metadata ?? null,
    }));
    const { duplicate, customer } = await this.recorder.recordLead({
      customer: candidate,
      slug: eventSlug(input.eventName),
      events,
      // One lead.created per call, however many events eventQuantity recorded.
      outbox: (stored) => [
        this.events.leadCreated({
          link: click.link,
          customer: stored,
          attribution: click.attribution,
          clickedAt: click.clickedAt,
          eventName: input.eventName,
          metadata: input.metadata ?? null,
          at: now,
        }),
      ],
    });
    if (!duplicate) this.announcer.announce({ type: "lead.tracked", events: events.length });
    return { clickId, link: duplicate ? null : click.link, customer };
  }
}
