// GET /api/openapi.json is generated from the routes' zod schemas. Here it must validate, cover every route the
// server answers, name operations as Dub does, describe the bodies the server really sends, and give a standard
// generator (openapi-typescript) types that a client program type-checks against and runs with (openapi-fetch).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import SwaggerParser from "@apidevtools/swagger-parser";
import type { Middleware } from "openapi-fetch";
import { GROUP_BYS } from "../../src/domain/analytics/model.js";
import { clickIdFor } from "../helpers/journey.js";
import {
  type Document,
  generatedTypes,
  registeredRoutes,
  responseSchema,
  schemaProblems,
  typeErrors,
} from "../helpers/openapi.js";
import { rejection } from "../helpers/rejection.js";
import { startServer, type TestServer } from "../helpers/server.js";

/** test/openapi-client/journey.ts, typed loosely here: the project's type check does not see the generated types. */
type ClientProgram = {
  apiClient(baseUrl: string, token: string): { use(middleware: Middleware): void };
  // biome-ignore lint/suspicious/noExplicitAny: what the journey returns is asserted field by field
  journey(api: unknown, key: string, visit: (key: string) => Promise<string>): Promise<any>;
};

const ROOT = resolve(fileURLToPath(import.meta.url), "../../..");
const CLIENT = join(ROOT, "test/openapi-client/journey.ts");

let server: TestServer;
let document: Document;
before(async () => {
  // A trusted proxy names the visitor's country, so every analytics grouping has a row.
  server = await startServer({ TRUST_PROXY: "true" });
  document = (await (await fetch(`${server.origin}/api/openapi.json`)).json()) as Document;
});
after(() => server.stop());

const operations = () =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
  );

/** `METHOD /path` with path parameters unnamed, so `/tags/{id}` and `/tags/{tagId}` are one route. */
const routeKey = (method: string, path: string) =>
  `${method.toUpperCase()} ${path.replace(/\{[^}]+\}/g, "{}")}`;

describe("the OpenAPI document", () => {
  test("validates as OpenAPI 3 with every $ref resolved (swagger-parser)", async () => {
    await SwaggerParser.validate(structuredClone(document) as never);
    assert.match(document.openapi, /^3\.0\.\d+$/);
    for (const name of ["Link", "Customer", "ClickEvent", "LeadEvent", "SaleEvent", "Error"]) {
      assert.ok(document.components.schemas[name], `components.schemas.${name}`);
    }
  });

  test("every operation has a unique id, a described success and Dub's error envelope for 4XX and 5XX", () => {
    const ids = operations().map(({ operation }) => operation.operationId);
    assert.equal(new Set(ids).size, ids.length, `duplicate operation ids: ${ids}`);
    for (const { method, path, operation } of operations()) {
      const where = `${method} ${path}`;
      assert.match(operation.operationId ?? "", /^[a-z][A-Za-z]+$/, where);
      const success = Object.keys(operation.responses).filter((status) => /^2\d\d$/.test(status));
      // An operation that never succeeds here (registerDomain) documents the one refusal it answers instead.
      const answers =
        success.length === 0 ? Object.keys(operation.responses).filter((s) => /^4\d\d$/.test(s)) : success;
      assert.equal(answers.length, 1, `${where}: one success status (or one refusal), not ${answers}`);
      assert.ok(operation.responses[answers[0]].content, `${where}: no content documented`);
      assert.deepEqual(
        [operation.responses["4XX"], operation.responses["5XX"]],
        [{ $ref: "#/components/responses/Error" }, { $ref: "#/components/responses/Error" }],
        where,
      );
    }
    assert.deepEqual(document.components.responses.Error.content?.["application/json"].schema, {
      $ref: "#/components/schemas/Error",
    });
    assert.deepEqual(document.components.securitySchemes, {
      token: { type: "http", scheme: "bearer" },
      session: { type: "apiKey", in: "cookie", name: "ct_session" },
    });
    assert.deepEqual(document.security, [{ token: [] }]);
  });

  test("an operation Dub has carries Dub's operation id (read from the dub SDK's own calls)", () => {
    const funcs = join(ROOT, "node_modules/dub/dist/esm/funcs");
    const dub = new Map<string, string>();
    for (const file of readdirSync(funcs).filter((name) => name.endsWith(".js"))) {
      const text = readFileSync(join(funcs, file), "utf8");
      const path = /pathToFunc\("([^"]+)"\)/.exec(text)?.[1];
      const id = /operationID: "([^"]+)"/.exec(text)?.[1];
      const method = /method: "([A-Z]+)"/.exec(text)?.[1];
      if (path && id && method) dub.set(routeKey(method, path), id);
    }
    assert.ok(dub.size > 40, `read only ${dub.size} operations from the dub SDK`);
    // The seed-era Go SDK's operations that the npm SDK no longer has.
    dub.set(routeKey("GET", "/workspaces/{idOrSlug}"), "getWorkspace");
    dub.set(routeKey("PATCH", "/workspaces/{idOrSlug}"), "updateWorkspace");
    dub.set(routeKey("GET", "/metatags"), "getMetatags");
    dub.set(routeKey("POST", "/track/customer"), "trackCustomer");

    const shared = operations().filter(({ method, path }) => dub.has(routeKey(method, path)));
    assert.ok(shared.length >= 15, `only ${shared.length} operations in common with Dub`);
    for (const { method, path, operation } of shared) {
      assert.equal(operation.operationId, dub.get(routeKey(method, path)), `${method} ${path}`);
    }
  });

  test("every route the server has under /api is in the document, or answers as no route at all", async () => {
    const documented = new Set(operations().map(({ method, path }) => routeKey(method, `/api${path}`)));
    const exempt: Record<string, string> = {
      [routeKey("GET", "/api/openapi.json")]: "the document itself",
      [routeKey("OPTIONS", "/api/track/click")]: "the CORS preflight of POST /track/click",
      [routeKey("OPTIONS", "/api/track/open")]: "the CORS preflight of POST /track/open",
      [routeKey("OPTIONS", "/api/track/lead/client")]: "the CORS preflight of POST /track/lead/client",
      [routeKey("OPTIONS", "/api/track/sale/client")]: "the CORS preflight of POST /track/sale/client",
    };
    const routes = registeredRoutes(server.app).filter(({ path }) => path.startsWith("/api/"));
    assert.ok(routes.length > 20, `printRoutes gave only ${routes.length} routes`);
    const undocumented = routes.filter(
      ({ method, path }) =>
        !documented.has(routeKey(method, path)) &&
        !exempt[routeKey(method, path)] &&
        !(method === "HEAD" && (documented.has(routeKey("GET", path)) || exempt[routeKey("GET", path)])),
    );
    for (const { method, path } of undocumented) {
      const answer = await raw(method, path.replace(/\{[^}]+\}/g, "x"));
      const what = `${method} ${path}, answered but not documented`;
      if (method === "HEAD") assert.equal(answer.status, 404, what);
      else await rejection(answer, 404, { message: /^No route /, what });
    }
  });
});

test("a client generated by openapi-typescript type-checks, and runs through openapi-fetch", async () => {
  const types = await generatedTypes(document);
  const misuse = join(ROOT, "test/openapi-client/misuse.ts");
  const errors = typeErrors([CLIENT], types, {
    [misuse]: [
      'import type { Api } from "./journey.js";',
      "export async function misuse(api: Api) {",
      '  await api.POST("/links", { body: { url: 42 } });',
      '  await api.GET("/links/{linkId}", { params: { path: {} } });',
      '  const { data } = await api.GET("/links");',
      "  return data?.[0].clickCount;",
      "}",
    ].join("\n"),
  });
  const inClient = errors.filter((error) => error.startsWith("test/openapi-client/journey.ts"));
  assert.deepEqual(inClient, [], "the example client does not type-check against the generated types");
  const inMisuse = errors.filter((error) => error.startsWith("test/openapi-client/misuse.ts"));
  assert.deepEqual(
    inMisuse.map((error) => Number(error.split(":")[1])),
    [3, 4, 6],
    `the generated types must refuse a wrong body, a missing path parameter and an unknown field:\n${errors.join("\n")}`,
  );
  assert.equal(errors.length, inClient.length + inMisuse.length, errors.join("\n"));

  // The type-only import of the generated types is erased at run time; openapi-fetch does the calls.
  // Relative to this file: the TypeScript source under tsx, its compiled twin under run-tests.mjs. A variable, so that
  // the type check does not follow it into a client that imports the generated types.
  const journeyModule = "../openapi-client/journey.js";
  const client = (await import(journeyModule)) as ClientProgram;
  const api = client.apiClient(`${server.origin}/api`, server.key);
  const answers: { method: string; path: string; status: number; body: unknown }[] = [];
  api.use({
    async onResponse({ request, response, schemaPath }) {
      const body = await response.clone().json();
      answers.push({ method: request.method, path: schemaPath, status: response.status, body });
    },
  });
  const result = await client.journey(api, "oa-journey", (key) => clickIdFor(server, key));

  assert.deepEqual(result.link, {
    id: result.link.id,
    shortLink: `http://${server.host}/oa-journey`,
    trackConversion: true,
  });
  assert.deepEqual(result.listedIds, [result.link.id]);
  assert.deepEqual(result.lead, {
    clickId: result.lead.clickId,
    linkId: result.link.id,
    customer: "customer-oa-journey",
  });
  assert.deepEqual(result.sale, { amount: 4900, currency: "usd" });
  assert.deepEqual(result.counts, { clicks: 1, leads: 1, sales: 1, saleAmount: 4900 });
  assert.deepEqual(result.saleEvents, [{ invoiceId: "in_oa-journey", customer: "customer-oa-journey" }]);
  assert.deepEqual(result.missing, { status: 404, code: "not_found" });

  assert.equal(answers.length, 7);
  for (const answer of answers) {
    const where = `${answer.method} ${answer.path} → ${answer.status}`;
    const schema = responseSchema(document, answer.method, answer.path, answer.status);
    assert.ok(schema, `${where}: no schema in the document`);
    assert.deepEqual(schemaProblems(document, schema, answer.body), [], where);
  }
});

test("what GET /analytics and GET /events answer (not checked by a serializer) is what the document says", async () => {
  const tag = await server.sdk().tags.create({ name: "oa-shapes" });
  const folder = await server.sdk().folders.create({ name: "oa-shapes" });
  const link = await server.sdk().links.create({
    url: "https://shop.example.com/oa?utm_source=s&utm_medium=m&utm_campaign=c&utm_term=t&utm_content=x",
    key: "oa-shapes",
    trackConversion: true,
    tagIds: [tag.id],
    folderId: folder.id,
  });
  const clickId = await clickIdFor(server, link.key, {
    country: "DE",
    referer: "https://news.example.org/post",
  });
  await server.sdk().track.lead({ clickId, eventName: "Sign up", customerExternalId: "oa-shapes" });
  await server.sdk().track.sale({ customerExternalId: "oa-shapes", amount: 100, invoiceId: "in_oa_shapes" });
  const targets = [
    ...GROUP_BYS.map((groupBy) => `/analytics?event=composite&groupBy=${groupBy}`),
    ...["clicks", "leads", "sales"].map((event) => `/events?event=${event}`),
  ];
  for (const target of targets) {
    const response = await fetch(`${server.origin}/api${target}`, {
      headers: { authorization: `Bearer ${server.key}` },
    });
    assert.equal(response.status, 200, target);
    const body = await response.json();
    assert.ok(!Array.isArray(body) || body.length > 0, `${target}: nothing to check`);
    const schema = responseSchema(document, "GET", target.split("?")[0], 200);
    assert.ok(schema, target);
    assert.deepEqual(schemaProblems(document, schema, body), [], target);
  }
});

/** A request without a body, with the server's key and any method (fetch refuses some), read whole. */
function raw(method: string, path: string): Promise<{ status: number; text: string; headers: Headers }> {
  const { hostname, port } = new URL(server.origin);
  return new Promise((done, fail) => {
    const outgoing = request(
      {
        hostname,
        port,
        path,
        method,
        // QUERY must name a media type.
        headers: { authorization: `Bearer ${server.key}`, "content-type": "application/json" },
      },
      (incoming) => {
        let text = "";
        incoming.setEncoding("utf8").on("data", (chunk: string) => {
          text += chunk;
        });
        incoming.on("end", () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(incoming.headers))
            if (typeof value === "string") headers.set(name, value);
          done({ status: incoming.statusCode ?? 0, text, headers });
        });
      },
    );
    outgoing.on("error", fail);
    outgoing.end();
  });
}
