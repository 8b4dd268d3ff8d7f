import type { EventHandlers } from "./event-worker.js";
import { paddleHandler } from "./paddle-events.js";
import { type PaymentDeps, Payments } from "./payments.js";
import { shopifyHandler } from "./shopify-events.js";
import { stripeHandler } from "./stripe-events.js";

/** What each processor's events become. */
export function eventHandlers(deps: PaymentDeps): EventHandlers {
  return {
    stripe: stripeHandler(new Payments(deps, "stripe")),
    shopify: shopifyHandler(new Payments(deps, "shopify")),
    paddle: paddleHandler(new Payments(deps, "paddle")),
  };
}
