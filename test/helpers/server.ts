import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { Dub } from "dub";
import type { FastifyInstance } from "fastify";
import { loadConfig } from "../../src/config.js";
import {
  createServices,
  openStorage,
  type Services,
  type Storage,
  startBackgroundJobs,
} from "../../src/container.js";
import { buildApp } from "../../src/http/app.js";
import { createLogger } from "../../src/logger.js";

export type TestServer = {
  /** e.g. http://127.0.0.1:43123 */
  origin: string;
  /** host:port, the default short domain */
  host: string;
  /** an unrestricted key of the default workspace */
  key: string;
  workspaceId: string;
  services: Services;
  storage: Storage;
  dataDir: string;
  /** a second, independent connection to the same SQLite file, for asserting what was committed */
  sqlite: SQLite.Database;
  sdk(token?: string): Dub;
  /** a new workspace with its own unrestricted (or scoped) key */
  newWorkspace(scopes?: string[]): Promise<{ key: string; workspaceId: string }>;
  stop(): Promise<void>;
};

/** A real server on a random port over a real temporary SQLite file. */
export async function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "clicktrail-test-"));
  const port = await freePort();
  const config = loadConfig({ DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: "silent", ...env });
  const storage = await openStorage(config);
  const logger = createLogger("silent");
  const services = await createServices(config, storage.stores, logger);
  const created = await services.workspaces.bootstrap();
  if (!created) throw new Error("expected an empty data directory");
  const stopBackgroundJobs = await startBackgroundJobs(config, services, storage.stores, logger);
  const app: FastifyInstance = await buildApp({ config, services, logger });
  await app.listen({ port, host: "127.0.0.1" });
  const origin = `http://127.0.0.1:${port}`;
  const sqlite = new SQLite(join(dataDir, "clicktrail.sqlite"), { readonly: true });
  return {
    origin,
    host: `localhost:${port}`,
    key: created.key,
    workspaceId: created.workspaceId,
    services,
    storage,
    dataDir,
    sqlite,
    sdk: (token = created.key) => new Dub({ token, serverURL: `${origin}/api` }),
    async newWorkspace(scopes) {
      const workspace = await services.workspaces.createWorkspace(`ws ${Math.random()}`);
      const key = await services.workspaces.createKey({ workspaceId: workspace.id, scopes });
      return { key: key.key, workspaceId: workspace.id };
    },
    async stop() {
      await app.close();
      stopBackgroundJobs();
      await services.clickRecorder.drain();
      sqlite.close();
      await storage.db.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const BROWSER_UA =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

/** A raw HTTP request that never follows redirects. */
export async function visit(
  server: TestServer,
  path: string,
  init: { method?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  return fetch(`${server.origin}${path}`, {
    method: init.method ?? "GET",
    redirect: "manual",
    headers: { "user-agent": BROWSER_UA, ...init.headers },
  });
}
