import type { FastifyDynamicSwaggerOptions } from "@fastify/swagger";
import { jsonSchemaTransform, jsonSchemaTransformObject } from "fastify-type-provider-zod";
import { errorSchema } from "./schemas/errors.js";

const SCHEMAS = "#/components/schemas/";
const METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

type Document = {
  paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
  components: { schemas?: Record<string, unknown>; responses?: Record<string, unknown> };
};

/**
 * `GET /api/openapi.json`, generated from the routes' zod schemas. A schema given an id with `.meta({ id })`
 * becomes the component `#/components/schemas/<id>` (`<id>Input` where a request uses it); every other schema is
 * written inline. Every operation answers errors in Dub's envelope, the `Error` response.
 */
export const openApiOptions: FastifyDynamicSwaggerOptions = {
  openapi: {
    info: {
      title: "Clicktrail API",
      version: "1.0.0",
      description: "Dub-compatible link attribution API.",
    },
    servers: [{ url: "/api" }],
    components: {
      securitySchemes: {
        token: { type: "http", scheme: "bearer" },
        // The dashboard's session (README "Accounts"): writes also need Origin and X-CSRF-Token.
        session: { type: "apiKey", in: "cookie", name: "ct_session" },
      },
      responses: {
        Error: {
          description: "A refused or failed request, in Dub's error envelope",
          content: { "application/json": { schema: { $ref: `${SCHEMAS}${errorSchema.meta()?.id}` } } },
        },
      },
    },
    security: [{ token: [] }],
  },
  transform: jsonSchemaTransform,
  transformObject: (documentObject) =>
    withoutUnusedSchemas(
      withErrorResponses(jsonSchemaTransformObject(documentObject) as unknown as Document),
    ),
};

function withErrorResponses(document: Document): Document {
  const error = { $ref: "#/components/responses/Error" };
  for (const item of Object.values(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (METHODS.has(method)) operation.responses = { ...operation.responses, "4XX": error, "5XX": error };
    }
  }
  return document;
}

/** The registry holds every schema with an id, as input and as output; the document keeps those it refers to. */
function withoutUnusedSchemas(document: Document) {
  const schemas = document.components.schemas ?? {};
  const used = new Set<string>();
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      if (key !== "$ref" || typeof value !== "string") visit(value);
      else if (value.startsWith(SCHEMAS) && !used.has(value.slice(SCHEMAS.length))) {
        used.add(value.slice(SCHEMAS.length));
        visit(schemas[value.slice(SCHEMAS.length)]);
      }
    }
  };
  visit(document.paths);
  visit(document.components.responses);
  const kept = Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name)));
  return { ...document, components: { ...document.components, schemas: kept } };
}
