import type { EventHandler, EventHandlers } from "./event-worker.js";
import { type PaymentDeps, Payments } from "./payments.js";
import { shopifyHandler } from "./shopify-events.js";
import { stripeHandler } from "./stripe-events.js";

/** An event type Clicktrail does not act on: stored, answered 200, listed as ignored. */
export const unhandled: EventHandler = async (event) => ({
  status: "ignored",
  reason: `${event.type} events are not acted on`,
});

/** What each processor's events become. */
export function eventHandlers(deps: PaymentDeps): EventHandlers {
  return {
    stripe: stripeHandler(new Payments(deps, "stripe")),
    shopify: shopifyHandler(new Payments(deps, "shopify")),
    paddle: unhandled,
  };
}
