import type { FastifyInstance } from "fastify";

export type HealthRoutesOptions = {
  pingDatabase: () => Promise<void>;
  /** Absent when no Redis is configured. */
  pingRedis: (() => Promise<void>) | undefined;
};

const PING_TIMEOUT_MS = 2_000;

type Check = "ok" | "unavailable" | "not configured";

/** `/healthz`: the process is alive. `/readyz`: it can serve, because its database and Redis answer. */
export async function healthRoutes(app: FastifyInstance, { pingDatabase, pingRedis }: HealthRoutesOptions) {
  app.get("/healthz", { schema: { hide: true } }, async () => ({ status: "ok" }));

  app.get("/readyz", { schema: { hide: true } }, async (_request, reply) => {
    const [database, redis] = await Promise.all([
      check(pingDatabase),
      pingRedis ? check(pingRedis) : ("not configured" as const),
    ]);
    const ready = database !== "unavailable" && redis !== "unavailable";
    return reply
      .code(ready ? 200 : 503)
      .header("cache-control", "no-store")
      .send({ status: ready ? "ready" : "unavailable", database, redis });
  });
}

async function check(ping: () => Promise<void>): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timed out")), PING_TIMEOUT_MS);
  });
  try {
    await Promise.race([ping(), timeout]);
    return "ok";
  } catch {
    return "unavailable";
  } finally {
    clearTimeout(timer);
  }
}
