// Baseline for bench/redirect.ts: the least a redirect service can do (map lookup + 302),
// run as its own process so it is measured the same way as the real server.
// Env: PORT, LINK_KEY, LINK_URL.
import Fastify from "fastify";
import { customAlphabet } from "nanoid";

const clickId = customAlphabet("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 16);
const links = new Map<string, string>([
  [process.env.LINK_KEY ?? "bench", process.env.LINK_URL ?? "https://example.com/"],
]);

const app = Fastify({ logger: false });
app.get<{ Params: { key: string } }>("/:key", (request, reply) => {
  const url = links.get(request.params.key);
  if (url === undefined) return reply.code(404).send();
  return reply.code(302).header("location", `${url}&dub_id=${clickId()}`).send();
});

await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT) });
process.once("SIGTERM", () => void app.close().then(() => process.exit(0)));
