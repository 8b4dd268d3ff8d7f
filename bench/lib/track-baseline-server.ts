// Baseline for bench/track.ts: a bare fastify route that validates the same body with Clicktrail's own zod
// schemas and answers 200, in its own process. Env: PORT.
import Fastify from "fastify";
import { trackLeadBody, trackSaleBody } from "../../src/http/schemas/track.js";

const app = Fastify({ logger: false });
for (const [path, schema] of [
  ["/api/track/lead", trackLeadBody],
  ["/api/track/sale", trackSaleBody],
] as const) {
  app.post(path, (request, reply) => {
    const parsed = schema.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: parsed.error.message });
    return reply.code(200).send({ ok: true });
  });
}

await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT) });
process.once("SIGTERM", () => void app.close().then(() => process.exit(0)));
