import type { FastifyRequest } from "fastify";
import type { SdkGeneration } from "../wire/sdk-generation.js";

/** dub-go's User-Agent: `speakeasy-sdk/go <version> <generator> <OpenAPI version> github.com/dubinc/dub-go`. */
const DUB_GO = /^speakeasy-sdk\/go (\d+)\.(\d+)\.\d+\S* .*\bgithub\.com\/dubinc\/dub-go\b/;

/**
 * dub-go up to 0.13.x decodes event lists strictly with models that lack keys Dub sends today (checked at
 * 0.9.4, 0.9.7 and 0.13.5); every other client, including one without a User-Agent, gets today's bodies.
 */
export function sdkGenerationOf(userAgent: string | undefined): SdkGeneration {
  const version = userAgent === undefined ? null : DUB_GO.exec(userAgent);
  if (!version) return "current";
  return Number(version[1]) === 0 && Number(version[2]) <= 13 ? "seed" : "current";
}

export const sdkGeneration = (request: FastifyRequest): SdkGeneration =>
  sdkGenerationOf(request.headers["user-agent"]);
