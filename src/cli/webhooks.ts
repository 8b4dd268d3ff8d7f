import { WEBHOOK_TRIGGERS, type WebhookTrigger } from "../domain/webhooks/model.js";
import { type Command, print, text, UsageError, withServices } from "./shared.js";

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
    await withServices(async ({ webhooks, payloads, send }) => {
      const sent = await webhooks.sendSample(rest[0], trigger, { events: payloads, send });
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
