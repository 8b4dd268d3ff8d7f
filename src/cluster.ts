import cluster, { type Worker } from "node:cluster";
import type { Logger } from "pino";
import type { Config } from "./config.js";
import { serveWorkers } from "./infra/cluster-channel.js";
import { serveClusterRateLimits } from "./infra/cluster-rate-limiter.js";
import { clusterMetricsCollector } from "./infra/metrics.js";

const RESTART_DELAY_MS = 1_000;

/**
 * `WORKERS=N`: the primary forks N server processes sharing the listening port, replaces one that dies, and
 * on SIGTERM/SIGINT passes the signal on and exits once every worker has drained. Without Redis it is also
 * where the workers agree: it counts their rate limits, relays link-cache invalidations and sums metrics.
 */
export function runPrimary(config: Config, logger: Logger): void {
  if (!config.redisUrl) serveClusterRateLimits();
  serveWorkers(clusterMetricsCollector());
  let stopping = false;
  const fork = () => cluster.fork();
  const listening = new Set<number>();
  cluster.on("listening", (worker: Worker) => listening.add(worker.id));
  cluster.on("exit", (worker: Worker, code, signal) => {
    if (!stopping && !listening.has(worker.id)) {
      // It failed before serving (a port in use, a bad setting): a replacement would fail the same way.
      logger.error({ pid: worker.process.pid, code }, "a worker could not start; stopping");
      stop("SIGTERM");
      process.exitCode = code || 1;
    }
    listening.delete(worker.id);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        logger.info("all workers stopped");
        process.exit();
      }
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, "worker died; starting another");
    setTimeout(fork, RESTART_DELAY_MS);
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, workers: config.workers }, "stopping workers");
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  for (let i = 0; i < config.workers; i++) fork();
  logger.info({ workers: config.workers, port: config.port }, "clicktrail primary started");
}
