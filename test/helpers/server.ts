import { mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { Dub } from "dub";
import type { FastifyInstance } from "fastify";
import pg from "pg";
import type { Logger } from "pino";
import type { Services } from "../../src/composition/services.js";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { startServer as startRealServer } from "../../src/server.js";
import type { Storage } from "../../src/store/open-storage.js";

export type TestServer = {
  /** e.g. http://127.0.0.1:43123 */
  origin: string;
  /** host:port, the default short domain */
  host: string;
  /** an unrestricted key of the default workspace */
  key: string;
  workspaceId: string;
  /** the first start's one-time setup token (the `Setup link`), for the dashboard's first owner */
  setupToken: string;
  /** the fastify instance serving `origin` */
  app: FastifyInstance;
  services: Services;
  storage: Storage;
  dataDir: string;
  /** The PostgreSQL database's URL when `store` is "postgres" */
  databaseUrl: string | undefined;
  /** "sqlite" or "postgres": the store this server runs on (CLICKTRAIL_TEST_STORE) */
  store: "sqlite" | "postgres";
  /**
   * Rows of a query run on a second, independent connection to the server's database, for asserting what was
   * committed. Write SQL both engines accept, with `?` placeholders.
   */
  query<T = Record<string, unknown>>(text: string, ...params: unknown[]): Promise<T[]>;
  /** The first row of `query`, or undefined. */
  one<T = Record<string, unknown>>(text: string, ...params: unknown[]): Promise<T | undefined>;
  sdk(token?: string): Dub;
  /** a new workspace with its own unrestricted (or scoped) key */
  newWorkspace(scopes?: string[]): Promise<{ key: string; workspaceId: string }>;
  stop(): Promise<void>;
};

const STORE = process.env.CLICKTRAIL_TEST_STORE === "postgres" ? "postgres" : "sqlite";

/**
 * A real server on a random port over a real store: a temporary SQLite file, or (CLICKTRAIL_TEST_STORE=postgres)
 * a fresh database on the test PostgreSQL server with the test Redis, both started by scripts/run-tests.mjs.
 * `options.logger` receives the server's log (silent by default).
 */
export async function startServer(
  env: Record<string, string> = {},
  options: { logger?: Logger } = {},
): Promise<TestServer> {
  // The free port is only free when it is picked: an outgoing connection of another test process can take it
  // as its own ephemeral port before this server listens. Then it starts again, on a new port and a new store.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServerOnce(env, options);
    } catch (error) {
      if (attempt === 3 || !(error instanceof Error && error.message.includes("already in use"))) throw error;
    }
  }
}

async function startServerOnce(
  env: Record<string, string>,
  options: { logger?: Logger },
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "clicktrail-test-"));
  const port = await freePort();
  const scaleOut = STORE === "postgres" ? await freshPostgresDatabase() : undefined;
  const loaded = loadConfig({
    DATA_DIR: dataDir,
    HOST: "127.0.0.1",
    PORT: String(port),
    LOG_LEVEL: "silent",
    // scrypt at its test cost (see TEST_PASSWORD_COST in processes.ts)
    NODE_ENV: "test",
    CLICKTRAIL_TEST_PASSWORD_COST: "low",
    ...(scaleOut
      ? { DATABASE_URL: scaleOut.url, REDIS_URL: process.env.CLICKTRAIL_TEST_REDIS_URL ?? "" }
      : {}),
    ...env,
  });
  let server: Awaited<ReturnType<typeof startRealServer>>;
  try {
    server = await startRealServer(loaded, {
      logger: options.logger ?? createLogger("silent"),
      migrate: true,
    });
  } catch (error) {
    await scaleOut?.drop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const { app, created, services, storage, origin } = server;
  if (!created) throw new Error("expected an empty data directory");
  const reader = scaleOut ? postgresReader(scaleOut.url) : sqliteReader(join(dataDir, "clicktrail.sqlite"));
  return {
    origin,
    host: `localhost:${port}`,
    key: created.key,
    workspaceId: created.workspaceId,
    setupToken: created.setupToken,
    app,
    services,
    storage,
    dataDir,
    databaseUrl: scaleOut?.url,
    store: STORE,
    query: reader.query,
    one: async (text, ...params) => (await reader.query(text, ...params))[0] as never,
    sdk: (token = created.key) => new Dub({ token, serverURL: `${origin}/api` }),
    async newWorkspace(scopes) {
      const workspace = await services.workspaces.createWorkspace(`ws ${Math.random()}`);
      const key = await services.workspaces.createKey({ workspaceId: workspace.id, scopes });
      return { key: key.key, workspaceId: workspace.id };
    },
    async stop() {
      await server.stop();
      await reader.close();
      await scaleOut?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

type Reader = { query<T>(text: string, ...params: unknown[]): Promise<T[]>; close(): Promise<void> };

function sqliteReader(file: string): Reader {
  const db = new SQLite(file, { readonly: true });
  return {
    query: async <T>(text: string, ...params: unknown[]) => db.prepare(text).all(...params) as T[],
    close: async () => {
      db.close();
    },
  };
}

function postgresReader(url: string): Reader {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  // pool.end() resolves before its connections have closed, so DROP DATABASE … WITH (FORCE) in stop() can still
  // terminate one; without a listener that error would be an uncaught exception failing whichever file ran.
  pool.on("error", () => {});
  return {
    async query<T>(text: string, ...params: unknown[]) {
      let index = 0;
      const numbered = text.replace(/\?/g, () => `$${++index}`);
      return (await pool.query(numbered, params)).rows as T[];
    },
    close: () => pool.end(),
  };
}

export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = process.env.CLICKTRAIL_TEST_PG_URL;
  if (!adminUrl)
    throw new Error(
      "CLICKTRAIL_TEST_STORE=postgres needs CLICKTRAIL_TEST_PG_URL (scripts/run-tests.mjs sets it)",
    );
  const name = `clicktrail_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
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

/** A GET with an explicit Host header (fetch forbids setting Host). */
export function requestWithHost(
  server: TestServer,
  path: string,
  host: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; location: string | undefined; contentType: string | undefined; body: string }> {
  const { hostname, port } = new URL(server.origin);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { hostname, port, path, method: "GET", headers: { host, "user-agent": BROWSER_UA, ...headers } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location,
            contentType: res.headers["content-type"],
            body,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}
