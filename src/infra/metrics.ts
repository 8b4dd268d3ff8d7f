import { AggregatorRegistry, Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { askPrimary } from "./cluster-channel.js";

export type Metrics = ReturnType<typeof createMetrics>;

export type PoolUsage = { total: number; idle: number; waiting: number };
export type CommitUsage = { transactions: number; commits: number };

/**
 * This process's metrics. A worker of `WORKERS=N` (`clustered`) answers a scrape with the sum over every
 * worker, gathered by the primary, so that a scrape landing on any worker sees the same monotonic counters.
 */
export function createMetrics({ clustered = false } = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "clicktrail_" });
  if (clustered) {
    new AggregatorRegistry(); // answers the primary's requests for this worker's metrics
    AggregatorRegistry.setRegistries([registry]);
  }
  return {
    registry,
    /** The Prometheus exposition to answer a scrape with. */
    async exposition(): Promise<string> {
      if (!clustered) return registry.metrics();
      const reply = await askPrimary({ type: "metrics" });
      if (reply.ok && reply.body !== undefined) return reply.body;
      throw new Error("the primary process did not return the workers' metrics in time");
    },
    httpRequests: new Counter({
      name: "clicktrail_http_requests_total",
      help: "HTTP requests answered, by route pattern and status",
      labelNames: ["method", "route", "status"] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "clicktrail_http_request_duration_seconds",
      help: "Time to answer an HTTP request, by route pattern",
      labelNames: ["method", "route"] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
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
    webhookDeliveries: new Counter({
      name: "clicktrail_webhook_deliveries_total",
      help: "Webhook delivery attempts by outcome: delivered, retry (will be tried again) or failed (gave up)",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    unconvertedSales: new Counter({
      name: "clicktrail_sales_unconverted_total",
      help: "Sales recorded in their own currency because no exchange rate to USD was known",
      labelNames: ["currency"] as const,
      registers: [registry],
    }),
    redisErrors: new Counter({
      name: "clicktrail_redis_errors_total",
      help: "Redis failures that were absorbed (connection errors, rate limits counted in memory, unsent cache invalidations)",
      labelNames: ["operation"] as const,
      registers: [registry],
    }),
  };
}

/** Database connection pool gauges, read on each scrape; nothing is registered for a store without a pool. */
export function observePool(metrics: Metrics, usage: () => PoolUsage | null): void {
  if (usage() === null) return;
  const gauge = (name: string, help: string, field: keyof PoolUsage) =>
    new Gauge({
      name,
      help,
      registers: [metrics.registry],
      collect() {
        const current = usage();
        if (current) this.set(current[field]);
      },
    });
  gauge("clicktrail_db_pool_connections", "Open database connections", "total");
  gauge("clicktrail_db_pool_idle_connections", "Open database connections not in use", "idle");
  gauge("clicktrail_db_pool_waiting_clients", "Queries waiting for a database connection", "waiting");
}

/** SQLite's group commit: transactions committed and the commits that carried them, read on each scrape. */
export function observeGroupCommit(metrics: Metrics, usage: () => CommitUsage | null): void {
  if (usage() === null) return;
  const counter = (name: string, help: string, field: keyof CommitUsage) =>
    new Counter({
      name,
      help,
      registers: [metrics.registry],
      collect() {
        const current = usage();
        if (current) {
          this.reset();
          this.inc(current[field]);
        }
      },
    });
  counter("clicktrail_sqlite_transactions_total", "Transactions committed on SQLite", "transactions");
  counter(
    "clicktrail_sqlite_commits_total",
    "SQLite commits, each carrying a group of transactions",
    "commits",
  );
}

/** The primary's half of clustered metrics: collects and sums every worker's registry. */
export const clusterMetricsCollector = () => {
  const aggregator = new AggregatorRegistry();
  return () => aggregator.clusterMetrics();
};
