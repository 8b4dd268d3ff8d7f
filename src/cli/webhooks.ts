import { systemClock } from "../domain/clock.js";
import { WEBHOOK_TRIGGERS, type WebhookTrigger } from "../domain/webhooks/model.js";
import { WebhookService } from "../domain/webhooks/webhook-service.js";
import { receiverRefusal } from "../infra/address-policy.js";
import { postWebhook } from "../infra/webhook-sender.js";
import { DubWebhookPayloads } from "../wire/webhook-payloads.js";
import { type Command, nobodyListens, print, text, UsageError, withStorage } from "./shared.js";

export const webhooks: Command = {
  name: "webhooks",
  usage:
    "webhooks test ID [--trigger T] [--json] send a signed sample event to a webhook now and show the answer",
  options: { trigger: { type: "string" } },
  actions: ["test"],
  async run({ rest, values }) {
    if (!rest[0]) throw new UsageError("webhooks test needs the webhook id", this);
    const trigger = text(values.trigger);
    if (trigger !== undefined && !WEBHOOK_TRIGGERS.includes(trigger as WebhookTrigger))
      throw new UsageError(`--trigger must be one of ${WEBHOOK_TRIGGERS.join(", ")}`, this);
    await withStorage(async ({ stores }, config) => {
      const service = new WebhookService(
        stores.webhooks,
        stores.links,
        systemClock,
        receiverRefusal(config.webhookAllowPrivate),
        nobodyListens,
      );
      const sent = await service.sendSample(rest[0], trigger, {
        events: new DubWebhookPayloads(config.shortLinkProtocol),
        send: (url, body, headers) =>
          postWebhook(url, body, headers, {
            timeoutMs: config.webhookTimeoutMs,
            allowPrivate: config.webhookAllowPrivate,
          }),
      });
      print(
        sent,
        values.json,
        `${sent.event} ${sent.eventId} → ${sent.url}: ${sent.statusCode ?? sent.error} in ${sent.latencyMs} ms` +
          (sent.responseExcerpt ? `\n${sent.responseExcerpt}` : ""),
      );
      if (!sent.ok) process.exitCode = 1;
    });
  },
};
