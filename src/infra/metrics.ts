import { Counter, collectDefaultMetrics, Registry } from "prom-client";

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "clicktrail_" });
  return {
    registry,
    clicksRecorded: new Counter({
      name: "clicktrail_clicks_recorded_total",
      help: "Clicks committed to storage",
      registers: [registry],
    }),
    clicksLost: new Counter({
      name: "clicktrail_clicks_lost_total",
      help: "Clicks that could not be stored (storage failure); their visitors were still redirected",
      registers: [registry],
    }),
    conversionsTracked: new Counter({
      name: "clicktrail_conversions_tracked_total",
      help: "Lead and sale events recorded",
      labelNames: ["type"] as const,
      registers: [registry],
    }),
    unconvertedSales: new Counter({
      name: "clicktrail_sales_unconverted_total",
      help: "Sales recorded in their own currency because no exchange rate to USD was known",
      labelNames: ["currency"] as const,
      registers: [registry],
    }),
  };
}
