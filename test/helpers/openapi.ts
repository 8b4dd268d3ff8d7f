import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import openapiTS, { astToString, type OpenAPI3 } from "openapi-typescript";
import ts from "typescript";

export type Schema = {
  $ref?: string;
  type?: "string" | "number" | "integer" | "boolean" | "object" | "array";
  nullable?: boolean;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
};

type Response = { $ref?: string; content?: Record<string, { schema: Schema }> };
export type Operation = {
  operationId?: string;
  security?: Record<string, string[]>[];
  responses: Record<string, Response>;
};
export type Document = OpenAPI3 & {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; responses: Record<string, Response> };
};

/**
 * What is wrong with `value` as an instance of `schema`, an OpenAPI 3.0 schema as zod writes them: wrong types,
 * values outside an enum, missing required keys, keys the schema does not name (`additionalProperties: false`).
 * Formats and bounds are not checked.
 */
export function schemaProblems(document: Document, schema: Schema, value: unknown, at = "$"): string[] {
  if (schema.$ref) {
    const target = document.components.schemas[schema.$ref.replace("#/components/schemas/", "")];
    return target
      ? schemaProblems(document, target, value, at)
      : [`${at}: ${schema.$ref} is not in the document`];
  }
  if (value === null) return schema.nullable || schema.type === undefined ? [] : [`${at}: null`];
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    const problems = alternatives.map((alternative) => schemaProblems(document, alternative, value, at));
    if (problems.some((list) => list.length === 0)) return [];
    return [
      `${at}: matches none of ${alternatives.length} alternatives (${problems.map((p) => p[0]).join("; ")})`,
    ];
  }
  if (schema.allOf) return schema.allOf.flatMap((part) => schemaProblems(document, part, value, at));
  if (schema.enum && !schema.enum.includes(value))
    return [`${at}: ${JSON.stringify(value)} is not in the enum`];
  const type = Array.isArray(value) ? "array" : typeof value;
  switch (schema.type) {
    case undefined:
      return [];
    case "integer":
      return Number.isInteger(value) ? [] : [`${at}: ${JSON.stringify(value)} is no integer`];
    case "array":
      if (!Array.isArray(value)) return [`${at}: ${type}, not an array`];
      return value.flatMap((item, index) =>
        schema.items ? schemaProblems(document, schema.items, item, `${at}[${index}]`) : [],
      );
    case "object": {
      if (type !== "object") return [`${at}: ${type}, not an object`];
      const record = value as Record<string, unknown>;
      const properties = schema.properties ?? {};
      const missing = (schema.required ?? [])
        .filter((name) => !(name in record))
        .map((name) => `${at}.${name}: missing`);
      const present = Object.entries(record).flatMap(([name, field]) => {
        const fieldSchema = Object.hasOwn(properties, name) ? properties[name] : schema.additionalProperties;
        if (fieldSchema === false) return [`${at}.${name}: not in the schema`];
        return typeof fieldSchema === "object"
          ? schemaProblems(document, fieldSchema, field, `${at}.${name}`)
          : [];
      });
      return [...missing, ...present];
    }
    default:
      return type === schema.type ? [] : [`${at}: ${type}, not ${schema.type}`];
  }
}

/** The JSON schema the document gives for an answer of `status` to `method path`, if any. */
export function responseSchema(
  document: Document,
  method: string,
  path: string,
  status: number,
): Schema | undefined {
  const responses = document.paths[path]?.[method.toLowerCase()]?.responses ?? {};
  const range = `${String(status)[0]}XX`;
  let response = responses[status] ?? responses[range] ?? responses.default;
  if (response?.$ref)
    response = document.components.responses[response.$ref.replace("#/components/responses/", "")];
  return response?.content?.["application/json"]?.schema;
}

/**
 * Every method and path fastify answers, from `printRoutes`' tree: one line per node, its depth in 4-column
 * steps, its path the concatenation of its ancestors' segments; `:name` becomes the document's `{name}`.
 */
export function registeredRoutes(app: FastifyInstance): { method: string; path: string }[] {
  const routes: { method: string; path: string }[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split("\n")) {
    if (line.trim() === "") continue;
    const node = /^([│ ]*)[├└]── (.+) \(([A-Z, ]+)\)$/.exec(line);
    if (!node) throw new Error(`a line of printRoutes this parser does not know: ${line}`);
    const depth = node[1].length / 4;
    stack.length = depth;
    stack.push(node[2]);
    const path = stack.join("").replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    for (const method of node[3].split(", ")) routes.push({ method, path });
  }
  return routes;
}

/** TypeScript declarations of the document's paths and components, as openapi-typescript writes them. */
export async function generatedTypes(document: Document): Promise<string> {
  return astToString(await openapiTS(structuredClone(document)));
}

/**
 * Type errors of `files` (paths of this repository) and of `extra` (in-memory files, by path) under the
 * project's compiler options, where the module `clicktrail-openapi` is `types`.
 */
export function typeErrors(files: string[], types: string, extra: Record<string, string> = {}): string[] {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
      },
    },
  );
  const typesFile = join(root, "test/openapi-client/clicktrail-openapi.d.ts");
  const memory = new Map([[typesFile, types], ...Object.entries(extra)]);
  const options = { ...config?.options, noEmit: true, paths: { "clicktrail-openapi": [typesFile] } };
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (file) => memory.has(file) || fileExists(file);
  host.readFile = (file) => memory.get(file) ?? readFile(file);
  host.getSourceFile = (file, language, ...rest) => {
    const text = memory.get(file);
    return text === undefined
      ? getSourceFile(file, language, ...rest)
      : ts.createSourceFile(file, text, language);
  };
  const program = ts.createProgram([...files, ...Object.keys(extra)], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
    if (!diagnostic.file || diagnostic.start === undefined) return text;
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    return `${diagnostic.file.fileName.replace(`${root}/`, "")}:${line + 1}: ${text}`;
  });
}
