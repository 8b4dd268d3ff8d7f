import type { Announcer } from "../announcements.js";
import type { Clock } from "../clock.js";
import { badRequest, notFound, unprocessable } from "../errors.js";
import { prefixedId } from "../ids.js";
import type { LinkStore } from "../links/ports.js";
import type { Principal } from "../workspaces/model.js";
import { signedHeaders } from "./delivery-worker.js";
import { type MessageStatus, WEBHOOK_TRIGGERS, type Webhook, type WebhookTrigger } from "./model.js";
import type {
  ReceiverCheck,
  Sender,
  SendResult,
  WebhookFields,
  WebhookPayloads,
  WebhookStore,
} from "./ports.js";
import { sampleEvent } from "./sample-event.js";
import { newWebhookSecret } from "./signature.js";

const SUBSCRIBER_CACHE_MS = 2_000;

export type SampleDelivery = SendResult & {
  webhookId: string;
  url: string;
  event: WebhookTrigger;
  eventId: string;
  /** The receiver answered 2xx. */
  ok: boolean;
};

export type WebhookInput = Partial<WebhookFields> & { secret?: string; disabled?: boolean };

export class WebhookService {
  private readonly subscribers = new Map<string, { has: boolean; until: number }>();

  constructor(
    private readonly store: WebhookStore,
    private readonly links: Pick<LinkStore, "findByIds">,
    private readonly clock: Clock,
    private readonly refusalOf: ReceiverCheck,
    private readonly announcer: Announcer,
    private readonly payloads: WebhookPayloads,
  ) {}

  async create(
    principal: Principal,
    input: WebhookInput & Pick<WebhookFields, "name" | "url" | "triggers">,
  ): Promise<Webhook> {
    await this.assertDeliverable(input.url);
    await this.assertOwnLinks(principal, input.linkIds);
    const now = this.clock.now();
    const webhook: Webhook = {
      id: prefixedId("wh"),
      workspaceId: principal.workspaceId,
      name: input.name,
      url: input.url,
      secret: input.secret ?? newWebhookSecret(),
      triggers: [...new Set(input.triggers)],
      linkIds: input.linkIds?.length ? [...new Set(input.linkIds)] : null,
      disabledAt: input.disabled ? now : null,
      disabledReason: input.disabled ? "disabled by request" : null,
      consecutiveFailures: 0,
      createdAt: now,
      updatedAt: now,
    };
    await this.store.create(webhook);
    this.subscribers.clear();
    return webhook;
  }

  list(principal: Principal): Promise<Webhook[]> {
    return this.store.list(principal.workspaceId);
  }

  async get(principal: Principal, id: string): Promise<Webhook> {
    const webhook = await this.store.get(principal.workspaceId, id);
    if (!webhook) throw notFound("Webhook not found.");
    return webhook;
  }

  async update(principal: Principal, id: string, input: WebhookInput): Promise<Webhook> {
    if (input.url !== undefined) await this.assertDeliverable(input.url);
    await this.assertOwnLinks(principal, input.linkIds);
    const fields = {
      ...input,
      triggers: input.triggers && [...new Set(input.triggers)],
      linkIds:
        input.linkIds === undefined ? undefined : input.linkIds?.length ? [...new Set(input.linkIds)] : null,
    };
    const webhook = await this.store.update(principal.workspaceId, id, fields, this.clock.now());
    if (!webhook) throw notFound("Webhook not found.");
    this.subscribers.clear();
    return webhook;
  }

  async delete(principal: Principal, id: string): Promise<{ id: string }> {
    if (!(await this.store.delete(principal.workspaceId, id))) throw notFound("Webhook not found.");
    this.subscribers.clear();
    return { id };
  }

  async events(
    principal: Principal,
    id: string,
    options: { status?: MessageStatus; limit: number; page: number },
  ) {
    await this.get(principal, id);
    return this.store.listMessages(principal.workspaceId, id, options);
  }

  async retry(principal: Principal, id: string, eventId: string): Promise<void> {
    if (!(await this.store.requeue(principal.workspaceId, id, eventId, this.clock.now()))) {
      throw notFound(`No event ${eventId} for webhook ${id}.`);
    }
    this.announcer.announce({ type: "webhook.requeued" });
  }

  /**
   * Queues a sample event of `trigger` (default: the webhook's first trigger) for webhook `id` alone, through the
   * outbox like any event: signed, retried and shown in its delivery log.
   */
  async queueTest(
    principal: Principal,
    id: string,
    trigger: WebhookTrigger | undefined,
  ): Promise<{ eventId: string; event: WebhookTrigger }> {
    const webhook = await this.get(principal, id);
    const event = trigger ?? webhook.triggers[0] ?? "link.clicked";
    const sample = sampleEvent(this.payloads, webhook.workspaceId, event, this.clock.now());
    if (!(await this.store.enqueueFor(webhook.workspaceId, webhook.id, sample)))
      throw notFound("Webhook not found.");
    this.announcer.announce({ type: "webhook.requeued" });
    return { eventId: sample.eventId, event };
  }

  /**
   * Sends a signed sample event of `trigger` (default: the webhook's first trigger) to webhook `id`, whichever
   * workspace owns it, now and outside the outbox: nothing is recorded.
   */
  async sendSample(
    id: string,
    trigger: string | undefined,
    { events, send }: { events: WebhookPayloads; send: Sender },
  ): Promise<SampleDelivery> {
    const workspaceId = await this.store.workspaceOf(id);
    const webhook = workspaceId && (await this.store.get(workspaceId, id));
    if (!webhook) throw notFound(`No webhook ${id}.`);
    const event = (trigger ?? webhook.triggers[0]) as WebhookTrigger;
    if (!WEBHOOK_TRIGGERS.includes(event))
      throw badRequest(`The trigger must be one of ${WEBHOOK_TRIGGERS.join(", ")}; got "${event}".`);
    const sample = sampleEvent(events, webhook.workspaceId, event, this.clock.now());
    const result = await send(
      webhook.url,
      sample.payload,
      signedHeaders(webhook.secret, sample.eventId, sample.payload),
    );
    const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    return { webhookId: webhook.id, url: webhook.url, event, eventId: sample.eventId, ok, ...result };
  }

  /** Cached for a moment: asked on every click, answered by the database at most every 2 seconds per workspace. */
  async hasSubscribers(workspaceId: string, trigger: WebhookTrigger): Promise<boolean> {
    const key = `${workspaceId}:${trigger}`;
    const cached = this.subscribers.get(key);
    const now = this.clock.now();
    if (cached && cached.until > now) return cached.has;
    const has = await this.store.hasSubscribers(workspaceId, trigger);
    this.subscribers.set(key, { has, until: now + SUBSCRIBER_CACHE_MS });
    return has;
  }

  private async assertOwnLinks(principal: Principal, linkIds: string[] | null | undefined): Promise<void> {
    if (!linkIds?.length) return;
    const wanted = [...new Set(linkIds)];
    const found = new Set((await this.links.findByIds(principal.workspaceId, wanted)).map((link) => link.id));
    const unknown = wanted.filter((id) => !found.has(id));
    if (unknown.length > 0) {
      throw unprocessable(`custom: linkIds: no link ${unknown.slice(0, 5).join(", ")} in this workspace`);
    }
  }

  private async assertDeliverable(url: string): Promise<void> {
    const refusal = await this.refusalOf(url);
    if (refusal) throw unprocessable(`custom: url: ${refusal}`);
  }
}
