import type { Announcer } from "../announcements.js";
import type { Clock } from "../clock.js";
import { DomainError, notFound, unprocessable } from "../errors.js";
import type { Principal } from "../workspaces/model.js";
import type { WorkspaceStore } from "../workspaces/ports.js";
import type { EventListing, Integration, IntegrationEvent, Processor } from "./model.js";
import type { Delivery, IntegrationStore, SignatureChecks } from "./ports.js";

/** The longest a replaced secret may stay accepted: a processor's own rotation takes an hour (Shopify). */
export const MAX_PREVIOUS_SECRET_SECONDS = 86_400;

const SECRET_SHAPE = /^\S{8,512}$/;

export type SecretInput = { secret: string; keepPreviousSecretSeconds?: number };

/** Configures the processors' signing secrets, and takes their deliveries: verified, stored, then processed. */
export class IntegrationService {
  constructor(
    private readonly store: IntegrationStore,
    private readonly workspaces: Pick<WorkspaceStore, "getWorkspace">,
    private readonly signatures: SignatureChecks,
    private readonly clock: Clock,
    private readonly announcer: Announcer,
  ) {}

  async configure(principal: Principal, processor: Processor, input: SecretInput): Promise<Integration> {
    const secret = input.secret.trim();
    if (!SECRET_SHAPE.test(secret))
      throw unprocessable("secret: must be 8 to 512 characters without spaces, as the processor shows it");
    if (processor === "stripe" && !secret.startsWith("whsec_")) {
      throw unprocessable(
        "secret: a Stripe endpoint's signing secret starts with whsec_ (an API key such as sk_… is not one)",
      );
    }
    const keep = input.keepPreviousSecretSeconds ?? 0;
    if (!Number.isInteger(keep) || keep < 0 || keep > MAX_PREVIOUS_SECRET_SECONDS)
      throw unprocessable(
        `keepPreviousSecretSeconds: a whole number from 0 to ${MAX_PREVIOUS_SECRET_SECONDS}`,
      );
    const now = this.clock.now();
    return this.store.save(
      principal.workspaceId,
      processor,
      secret,
      now,
      keep > 0 ? now + keep * 1000 : null,
    );
  }

  list(principal: Principal): Promise<Integration[]> {
    return this.store.list(principal.workspaceId);
  }

  async remove(principal: Principal, processor: Processor): Promise<void> {
    if (!(await this.store.remove(principal.workspaceId, processor)))
      throw notFound(`No ${processor} integration is configured.`);
  }

  events(principal: Principal, listing: EventListing): Promise<IntegrationEvent[]> {
    return this.store.listEvents(principal.workspaceId, listing);
  }

  async event(principal: Principal, processor: Processor, eventId: string): Promise<IntegrationEvent> {
    const event = await this.store.getEvent({ workspaceId: principal.workspaceId, processor, eventId });
    if (!event) throw notFound(`No ${processor} event ${eventId} was received.`);
    return event;
  }

  /**
   * A processor's delivery: refused unless a secret of the workspace signed it; otherwise stored under its id
   * (a redelivery finds it there) before it is answered. What it becomes is worked out after the answer.
   */
  async receive(
    processor: Processor,
    workspaceId: string,
    delivery: Delivery,
  ): Promise<{ eventId: string; duplicate: boolean }> {
    const now = this.clock.now();
    const secrets = await this.store.secrets(workspaceId, processor, now);
    if (secrets === null) {
      if (!(await this.workspaces.getWorkspace(workspaceId))) throw notFound("Workspace not found.");
      throw notFound(`This workspace has no ${processor} integration.`);
    }
    const event = this.signatures[processor](delivery, secrets, now);
    if (event === null) throw new DomainError("unauthorized", `Invalid ${processor} signature.`);
    const { duplicate } = await this.store.receive(workspaceId, processor, event, now);
    if (!duplicate) this.announcer.announce({ type: "integration.received", processor });
    return { eventId: event.eventId, duplicate };
  }
}
