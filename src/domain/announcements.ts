import type { Money } from "./conversions/model.js";
import type { Outcome, Processor } from "./integrations/model.js";
import type { AttemptOutcome } from "./webhooks/ports.js";

/**
 * What a service has just done, said once after its commit (or after it gave up). Services only announce;
 * who reacts (metrics, logs, the webhook worker) is listed in one table, outside the domain.
 */
export type Announcement =
  /** `webhooks` outbox rows were committed with them. */
  | { type: "clicks.recorded"; newClicks: number; webhooks: number }
  /** A click could not be stored; its visitor was sent on without a click id. */
  | { type: "click.lost"; error: unknown }
  | { type: "lead.tracked"; events: number }
  | { type: "sale.tracked"; money: Money }
  | { type: "link.changed"; change: "created" | "updated" | "deleted" }
  /** An outbox message was (re)queued by hand. */
  | { type: "webhook.requeued" }
  | { type: "webhook.attempted"; outcome: AttemptOutcome["kind"] }
  | { type: "webhook.delivery_failed"; error: unknown }
  /** A payment processor's event was stored, to be processed. */
  | { type: "integration.received"; processor: Processor }
  | { type: "integration.processed"; processor: Processor; outcome: Outcome }
  | { type: "integration.failed"; error: unknown };

export type AnnouncementType = Announcement["type"];

export interface Announcer {
  announce(announcement: Announcement): void;
}
