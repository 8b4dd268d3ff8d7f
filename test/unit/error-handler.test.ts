// The error handler on a bare fastify app: what it sends when a reply fails half way.
import assert from "node:assert/strict";
import { get } from "node:http";
import { test } from "node:test";
import Fastify from "fastify";
import { installErrorHandler } from "../../src/http/errors.js";

test("a 500 that replaces a failed 302 carries its own reason phrase, not 'Found'", async () => {
  const app = Fastify();
  installErrorHandler(app, { failedWith: () => false });
  app.get("/", async (_request, reply) =>
    reply.code(302).header("location", "https://a.example/\r\nx").send(),
  );
  await app.listen({ port: 0, host: "127.0.0.1" });
  try {
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const answer = await new Promise<{ status?: number; reason?: string; body: string }>(
      (resolve, reject) => {
        get({ host: "127.0.0.1", port, path: "/" }, (res) => {
          let body = "";
          res.setEncoding("utf8").on("data", (chunk: string) => {
            body += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode, reason: res.statusMessage, body }));
        }).on("error", reject);
      },
    );
    assert.equal(answer.status, 500);
    assert.equal(answer.reason, "Internal Server Error");
    assert.equal(JSON.parse(answer.body).error.code, "internal_server_error");
  } finally {
    await app.close();
  }
});
