import type { Logger } from "pino";
import type { Config } from "../config.js";
import { FxRefresher } from "../infra/fx-refresher.js";
import type { PeriodicJob, Storage } from "../store/open-storage.js";
import type { Services } from "./services.js";

/** Work that runs beside the requests, in every serving process (no job needs a leader); returns how to stop it. */
export async function startBackgroundJobs(
  config: Config,
  services: Services,
  storage: Storage,
  logger: Logger,
): Promise<() => Promise<void>> {
  const fx = new FxRefresher(services.fxRates, config, logger);
  await fx.start();
  services.delivery.start();
  services.integrationEvents.start();
  const dedupeWindowMs = config.clickDedupeSeconds * 1000;
  const jobs: PeriodicJob[] = [
    {
      name: "visitor pruning",
      everyMs: VISITOR_PRUNE_INTERVAL_MS,
      run: () => storage.stores.clicks.pruneVisitors(Date.now() - dedupeWindowMs),
    },
    {
      name: "expired sessions pruning",
      everyMs: SESSION_PRUNE_INTERVAL_MS,
      run: () => storage.stores.accounts.deleteExpiredSessions(Date.now()),
    },
    ...storage.upkeep,
  ];
  const timers = jobs.map((job) =>
    setInterval(() => {
      job.run().catch((error) => logger.warn({ err: error }, `${job.name} failed`));
    }, job.everyMs).unref(),
  );
  return async () => {
    fx.stop();
    for (const timer of timers) clearInterval(timer);
    await services.delivery.stop();
    await services.integrationEvents.stop();
  };
}

const VISITOR_PRUNE_INTERVAL_MS = 10 * 60 * 1000;
const SESSION_PRUNE_INTERVAL_MS = 60 * 60 * 1000;
