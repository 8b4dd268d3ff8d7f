import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { SendResult } from "../domain/webhooks/ports.js";
import { resolvePublicTarget } from "./address-policy.js";

const EXCERPT = 1_000;

// Connections to receivers are kept and reused: a busy link.clicked webhook would otherwise open one per event.
// A kept connection goes to the address vetted when it was opened.
const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 32 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 32 });

/** One POST of a webhook body: a fresh connection to a vetted address, a hard timeout, a bounded response read. */
export async function postWebhook(
  target: string,
  body: string,
  headers: Record<string, string>,
  options: { timeoutMs: number; allowPrivate: boolean },
): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let url: URL;
  let resolved: Awaited<ReturnType<typeof resolvePublicTarget>>;
  try {
    url = new URL(target);
    resolved = await resolvePublicTarget(url, options.allowPrivate);
  } catch (error) {
    return { statusCode: null, latencyMs: elapsed(), error: (error as Error).message, responseExcerpt: null };
  }
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((finish) => {
    const resolve = (result: SendResult) => {
      clearTimeout(deadline);
      finish(result);
    };
    const request = send(
      url,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          ...headers,
        },
        // Node 20 connects with autoSelectFamily, which asks for every address (`all`); answering with a single
        // one then fails every host name with "Invalid IP address: undefined".
        lookup: (_host, lookupOptions, callback) => {
          if (lookupOptions.all) callback(null, [{ address: resolved.address, family: resolved.family }]);
          else callback(null, resolved.address, resolved.family);
        },
        agent: url.protocol === "https:" ? httpsAgent : httpAgent,
      },
      (response) => {
        let excerpt = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          if (excerpt.length < EXCERPT) excerpt += chunk.slice(0, EXCERPT - excerpt.length);
        });
        response.on("end", () =>
          resolve({
            statusCode: response.statusCode ?? null,
            latencyMs: elapsed(),
            error: null,
            responseExcerpt: excerpt,
          }),
        );
        response.on("error", (error) =>
          resolve({
            statusCode: response.statusCode ?? null,
            latencyMs: elapsed(),
            error: error.message,
            responseExcerpt: excerpt,
          }),
        );
      },
    );
    const deadline = setTimeout(
      () => request.destroy(new Error(`no complete answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    request.on("error", (error) =>
      resolve({ statusCode: null, latencyMs: elapsed(), error: error.message, responseExcerpt: null }),
    );
    request.end(body);
  });
}
