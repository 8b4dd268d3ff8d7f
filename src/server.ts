import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { startBackgroundJobs } from "./composition/background-jobs.js";
import { createServices, type Services } from "./composition/services.js";
import type { Config } from "./config.js";
import type { GeoResolver } from "./domain/clicks/ports.js";
import { listenFailure } from "./explained-error.js";
import { type FirstStart, firstStart } from "./first-start.js";
import { buildApp } from "./http/app.js";
import { settleShortDomain } from "./short-domain.js";
import { openStorage, type Storage } from "./store/open-storage.js";

export type RunningServer = {
  app: FastifyInstance;
  /** The configuration it serves with: the short domain settled against the database. */
  config: Config;
  services: Services;
  storage: Storage;
  /** e.g. http://127.0.0.1:43123, with the port it actually listens on. */
  origin: string;
  /** The first workspace, key and setup link's token, when this start found an empty database and created them. */
  created: FirstStart | null;
  /** Stops taking requests, finishes those in flight, stops the background jobs and closes everything, once. */
  stop(): Promise<void>;
};

export type StartOptions = {
  logger: Logger;
  /** Migrate a PostgreSQL schema rather than only check it (SQLite always migrates itself). */
  migrate?: boolean;
  /** False when another process has just checked the SQLite file (`WORKERS=N`). */
  checkIntegrity?: boolean;
  geo?: GeoResolver;
};

/** One serving process: storage, services, background jobs and HTTP, started in that order and stopped in reverse. */
export async function startServer(loaded: Config, options: StartOptions): Promise<RunningServer> {
  const { logger } = options;
  const storage = await openStorage(loaded, {
    migrate: options.migrate,
    checkIntegrity: options.checkIntegrity,
  });
  const stops: (() => Promise<unknown>)[] = [() => storage.db.destroy()];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    const config = await settleShortDomain(loaded, storage.stores.settings);
    const services = await createServices(config, storage.stores, logger, options.geo);
    stops.push(async () => {
      await services.clickRecorder.drain();
      await services.conversionRecorder.drain();
      await services.close();
    });
    const created = await firstStart(services.workspaces, services.accounts);
    stops.push(await startBackgroundJobs(config, services, storage, logger));
    const app = await buildApp({
      config,
      services,
      poolUsage: storage.poolUsage,
      commitUsage: storage.commitUsage,
      logger,
    });
    stops.push(() => closeGracefully(app));
    await app.listen({ port: config.port, host: config.host }).catch((error: unknown) => {
      throw listenFailure(error, config.host, config.port);
    });
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    let stopping: Promise<void> | null = null;
    return {
      app,
      config,
      services,
      storage,
      origin: `http://${config.host}:${port}`,
      created,
      stop: () => {
        stopping ??= stopAll();
        return stopping;
      },
    };
  } catch (error) {
    await stopAll().catch(() => {});
    throw error;
  }
}

/**
 * Connections that were busy when closing began stay open (keep-alive) after their response and would hold
 * `close()` until a forced exit: each is closed as soon as it falls idle.
 */
async function closeGracefully(app: FastifyInstance): Promise<void> {
  const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
  }
}
