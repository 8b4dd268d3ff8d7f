import cluster from "node:cluster";
import { pathToFileURL } from "node:url";
import type { Logger } from "pino";
import { runPrimary } from "./cluster.js";
import { passwordHasher } from "./composition/store-services.js";
import { type Config, loadConfig } from "./config.js";
import { AccountService } from "./domain/accounts/account-service.js";
import { systemClock } from "./domain/clock.js";
import { WorkspaceService } from "./domain/workspaces/workspace-service.js";
import { EXIT_FAILURE } from "./exit-codes.js";
import { ExplainedError } from "./explained-error.js";
import { announceFirstStart, firstStart } from "./first-start.js";
import { createLogger } from "./logger.js";
import { startServer } from "./server.js";
import { settleShortDomain } from "./short-domain.js";
import { openStorage } from "./store/open-storage.js";

export async function serve(): Promise<void> {
  const loaded = loadConfig();
  const logger = createLogger(loaded.logLevel);
  if (loaded.workers > 1 && cluster.isPrimary) {
    await prepareForWorkers(loaded, logger);
    runPrimary(loaded, logger);
    return;
  }
  // With WORKERS > 1 the primary has checked the file already (prepareForWorkers).
  const server = await startServer(loaded, { logger, checkIntegrity: cluster.isPrimary });
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
    await server.stop();
    logger.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  const { config, created, storage } = server;
  if (created) announceFirstStart(created, server.origin, config.dataDir, logger);
  logger.info(
    {
      port: Number(new URL(server.origin).port),
      shortDomain: config.shortDomain,
      migrations: storage.appliedMigrations,
    },
    "clicktrail listening",
  );
}

/** What only one process should do: migrate the embedded store and create the first workspace and key. */
async function prepareForWorkers(config: Config, logger: Logger): Promise<void> {
  const storage = await openStorage(config);
  try {
    await settleShortDomain(config, storage.stores.settings);
    const { workspaces, accounts } = storage.stores;
    const created = await firstStart(
      new WorkspaceService(workspaces, systemClock),
      new AccountService(accounts, workspaces, passwordHasher(config), systemClock),
    );
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
