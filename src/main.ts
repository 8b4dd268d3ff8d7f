import cluster from "node:cluster";
import { pathToFileURL } from "node:url";
import type { Logger } from "pino";
import { runPrimary } from "./cluster.js";
import { type Config, loadConfig } from "./config.js";
import { createServices, openStorage, startBackgroundJobs } from "./container.js";
import { WorkspaceService } from "./domain/workspaces/workspace-service.js";
import { EXIT_FAILURE } from "./exit-codes.js";
import { ExplainedError, listenFailure } from "./explained-error.js";
import { announceFirstStart } from "./first-start.js";
import { buildApp } from "./http/app.js";
import { systemClock } from "./infra/clock.js";
import { createLogger } from "./logger.js";
import { settleShortDomain } from "./short-domain.js";

export async function serve(): Promise<void> {
  const loaded = loadConfig();
  const logger = createLogger(loaded.logLevel);
  if (loaded.workers > 1 && cluster.isPrimary) {
    await prepareForWorkers(loaded, logger);
    runPrimary(loaded, logger);
    return;
  }
  // With WORKERS > 1 the primary has checked the file already (prepareForWorkers).
  const storage = await openStorage(loaded, { checkIntegrity: cluster.isPrimary });
  const config = await settleShortDomain(loaded, storage.stores.settings);
  const services = await createServices(config, storage.stores, logger);
  const created = await services.workspaces.bootstrap();
  const stopBackgroundJobs = await startBackgroundJobs(config, services, storage, logger);
  const app = await buildApp({ config, services, storage, logger });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: finishing in-flight requests");
    const forced = setTimeout(() => {
      logger.error("shutdown took longer than 10 s; exiting");
      process.exit(1);
    }, 10_000);
    forced.unref();
    // Connections that were busy when closing began stay open (keep-alive) after their response, and
    // would hold app.close() until the forced exit; close each one as soon as it falls idle.
    const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
    await app.close();
    clearInterval(sweep);
    await stopBackgroundJobs();
    await services.clickRecorder.drain();
    await services.close();
    await storage.db.destroy();
    logger.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  await app.listen({ port: config.port, host: config.host }).catch((error: unknown) => {
    throw listenFailure(error, config.host, config.port);
  });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  if (created) announceFirstStart(created, `http://${config.host}:${port}`, config.dataDir, logger);
  logger.info(
    { port, shortDomain: config.shortDomain, migrations: storage.appliedMigrations },
    "clicktrail listening",
  );
}

/** What only one process should do: migrate the embedded store and create the first workspace and key. */
async function prepareForWorkers(config: Config, logger: Logger): Promise<void> {
  const storage = await openStorage(config);
  try {
    await settleShortDomain(config, storage.stores.settings);
    const created = await new WorkspaceService(storage.stores.workspaces, systemClock).bootstrap();
    if (created) announceFirstStart(created, `http://${config.host}:${config.port}`, config.dataDir, logger);
  } finally {
    await storage.db.destroy();
  }
}

export async function runServe(): Promise<void> {
  try {
    await serve();
  } catch (error) {
    const explained = error instanceof ExplainedError;
    process.stderr.write(`${explained ? error.message : `clicktrail: ${(error as Error).stack ?? error}`}\n`);
    process.exit(explained ? error.exitCode : EXIT_FAILURE);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) void runServe();
