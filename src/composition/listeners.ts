import type { Logger } from "pino";
import type { Announcement, AnnouncementType, Announcer } from "../domain/announcements.js";
import type { EventWorker } from "../domain/integrations/event-worker.js";
import type { DeliveryWorker } from "../domain/webhooks/delivery-worker.js";
import type { DatabaseAvailability } from "../infra/database-availability.js";
import type { Metrics } from "../infra/metrics.js";

type Listener<T extends AnnouncementType> = (announcement: Extract<Announcement, { type: T }>) => void;
export type Listeners = { [T in AnnouncementType]: Listener<T>[] };

/** Who reacts to what the services announce: the one table of the side effects that follow a commit. */
export function listeners({
  metrics,
  logger,
  database,
  delivery,
  integrationEvents,
}: {
  metrics: Metrics;
  logger: Logger;
  database: DatabaseAvailability;
  delivery: Pick<DeliveryWorker, "wake">;
  integrationEvents: Pick<EventWorker, "wake">;
}): Listeners {
  const deliverNow = () => delivery.wake();
  /** An outage is reported once by `database`; anything else is logged where it happened. */
  const logFailure = (error: unknown, message: string) => {
    if (!database.failedWith(error)) logger.error({ err: error }, message);
  };
  return {
    "clicks.recorded": [
      ({ newClicks }) => metrics.clicksRecorded.inc(newClicks),
      ({ webhooks }) => webhooks > 0 && deliverNow(),
    ],
    "click.lost": [
      () => metrics.clicksLost.inc(),
      ({ error }) =>
        logFailure(error, "a click could not be stored; the visitor was redirected without a click id"),
    ],
    "lead.tracked": [({ events }) => metrics.conversionsTracked.inc({ type: "lead" }, events), deliverNow],
    "sale.tracked": [
      () => metrics.conversionsTracked.inc({ type: "sale" }),
      ({ money }) => {
        if (money.converted) return;
        metrics.unconvertedSales.inc({ currency: money.currency });
        logger.warn(
          { currency: money.currency },
          "no exchange rate to USD: sale recorded in its own currency, unconverted",
        );
      },
      deliverNow,
    ],
    "link.changed": [deliverNow],
    "webhook.requeued": [deliverNow],
    "webhook.attempted": [({ outcome }) => metrics.webhookDeliveries.inc({ outcome })],
    "webhook.delivery_failed": [({ error }) => logFailure(error, "webhook delivery failed")],
    "integration.received": [() => integrationEvents.wake()],
    "integration.processed": [
      ({ processor, outcome }) =>
        (outcome.status === "ignored" || outcome.status === "parked") &&
        logger.info(
          { processor, status: outcome.status, reason: outcome.reason },
          "payment event not recorded",
        ),
    ],
    "integration.failed": [
      ({ error }) => logFailure(error, "a payment processor event could not be processed"),
    ],
  };
}

/** Hands each announcement to its listeners; a listener that throws is logged and never reaches the service. */
export class Dispatcher implements Announcer {
  private table: Listeners | null = null;

  constructor(private readonly logger: Logger) {}

  /** Set once the listeners exist: they need services that themselves announce. */
  listen(table: Listeners): void {
    this.table = table;
  }

  announce(announcement: Announcement): void {
    for (const listener of this.table?.[announcement.type] ?? []) {
      try {
        (listener as Listener<typeof announcement.type>)(announcement);
      } catch (error) {
        this.logger.error({ err: error, announcement: announcement.type }, "a listener failed");
      }
    }
  }
}
