import type { FastifyInstance } from "fastify";
import type { DatabaseAvailability } from "../../infra/database-availability.js";

export type HealthRoutesOptions = {
  database: Pick<DatabaseAvailability, "isAvailable">;
  /** Absent when no Redis is configured. */
  pingRedis: (() => Promise<void>) | undefined;
};

const CHECK_TIMEOUT_MS = 2_000;

type Check = "ok" | "unavailable" | "not configured";

/**
 * `/healthz`: the process is alive. `/readyz`: it can serve — 503 when the database does not take writes. Without
 * Redis every request still succeeds (rate limits fall back to memory), so Redis down is reported as degraded,
 * still 200: taking every process out of a load balancer for it would turn an inconvenience into an outage.
 */
export async function healthRoutes(app: FastifyInstance, { database, pingRedis }: HealthRoutesOptions) {
  app.get("/healthz", { schema: { hide: true } }, async () => ({ status: "ok" }));

  app.get("/readyz", { schema: { hide: true } }, async (_request, reply) => {
    const [databaseCheck, redis] = await Promise.all([
      check(async () => {
        if (!(await database.isAvailable())) throw new Error("the database takes no writes");
      }),
      pingRedis ? check(pingRedis) : ("not configured" as const),
    ]);
    const status =
      databaseCheck === "unavailable" ? "unavailable" : redis === "unavailable" ? "degraded" : "ready";
    return reply
      .code(status === "unavailable" ? 503 : 200)
      .header("cache-control", "no-store")
      .send({ status, database: databaseCheck, redis });
  });
}

async function check(ping: () => Promise<void>): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timed out")), CHECK_TIMEOUT_MS);
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
