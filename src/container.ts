import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Config } from "./config.js";
import { ClickRecorder } from "./domain/clicks/click-recorder.js";
import type { ClickStore, GeoResolver } from "./domain/clicks/ports.js";
import { RedirectService } from "./domain/clicks/redirect-service.js";
import { LinkService } from "./domain/links/link-service.js";
import { MemoryLinkCache } from "./domain/links/memory-link-cache.js";
import type { LinkStore } from "./domain/links/ports.js";
import type { RateLimiter, WorkspaceStore } from "./domain/workspaces/ports.js";
import { WorkspaceService } from "./domain/workspaces/workspace-service.js";
import { systemClock } from "./infra/clock.js";
import { MmdbGeoResolver } from "./infra/geo.js";
import { MemoryRateLimiter } from "./infra/memory-rate-limiter.js";
import { SqlClickStore } from "./store/sql/click-store.js";
import { SqlLinkStore } from "./store/sql/link-store.js";
import type { Database } from "./store/sql/schema.js";
import { SqlWorkspaceStore } from "./store/sql/workspace-store.js";
import { migrate, openSqlite } from "./store/sqlite/database.js";

export type Stores = { workspaces: WorkspaceStore; links: LinkStore; clicks: ClickStore };

export type Services = {
  workspaces: WorkspaceService;
  links: LinkService;
  redirects: RedirectService;
  clickRecorder: ClickRecorder;
  rateLimiter: RateLimiter;
};

export type Storage = { db: Kysely<Database>; stores: Stores; appliedMigrations: string[] };

/** Picks the storage adapter once, from configuration, and brings its schema up to date. */
export async function openStorage(config: Config): Promise<Storage> {
  if (config.databaseUrl?.startsWith("postgres")) {
    throw new Error("DATABASE_URL=postgres://… is not supported by this version yet; unset it to use SQLite.");
  }
  const db = openSqlite({
    dataDir: config.databaseUrl?.replace(/^sqlite:/, "") || config.dataDir,
    synchronous: config.sqliteSynchronous,
  });
  const appliedMigrations = await migrate(db);
  return {
    db,
    appliedMigrations,
    stores: {
      workspaces: new SqlWorkspaceStore(db),
      links: new SqlLinkStore(db),
      clicks: new SqlClickStore(db),
    },
  };
}

export async function createServices(config: Config, stores: Stores, geo?: GeoResolver): Promise<Services> {
  const links = new LinkService(stores.links, new MemoryLinkCache(), systemClock, config.shortDomain);
  const clickRecorder = new ClickRecorder(stores.clicks, config.clickDedupeSeconds * 1000);
  return {
    workspaces: new WorkspaceService(stores.workspaces, systemClock),
    links,
    clickRecorder,
    redirects: new RedirectService(links, clickRecorder, geo ?? (await MmdbGeoResolver.open()), systemClock, config.anonymizeIp),
    rateLimiter: new MemoryRateLimiter(config.rateLimitPerMinute),
  };
}

export type { Logger };
