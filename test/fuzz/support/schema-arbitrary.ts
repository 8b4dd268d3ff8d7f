// Values shaped like an OpenAPI 3.0 schema says (the subset @fastify/swagger writes for our zod schemas).
import fc from "fast-check";

export type Schema = {
  type?: "object" | "array" | "string" | "integer" | "number" | "boolean" | "null";
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
  nullable?: boolean;
  default?: unknown;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean | number;
  exclusiveMaximum?: boolean | number;
  anyOf?: Schema[];
  oneOf?: Schema[];
  description?: string;
};

const KNOWN = new Set([
  "type",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "minItems",
  "maxItems",
  "enum",
  "nullable",
  "default",
  "minLength",
  "maxLength",
  "pattern",
  "format",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "anyOf",
  "oneOf",
  "description",
]);

/** A generator for a named field, when its name means more than its schema says (an id that exists, a URL). */
export type Hints = (name: string) => fc.Arbitrary<unknown> | undefined;

/**
 * Values the schema accepts, most of the time: strings keep to their length and pattern, numbers to their range,
 * objects have their required keys. Named fields also draw from `hints`. Fails on a keyword it does not know, so a
 * schema that grows one is noticed rather than fuzzed as if it were anything.
 */
export function fromSchema(schema: Schema, hints: Hints, name = ""): fc.Arbitrary<unknown> {
  const unknown = Object.keys(schema).filter((keyword) => !KNOWN.has(keyword));
  if (unknown.length > 0) throw new Error(`schema of ${name || "a value"} uses ${unknown.join(", ")}`);
  const hint = name ? hints(name) : undefined;
  const shaped = bySchema(schema, hints, name);
  const value = hint ? fc.oneof({ weight: 4, arbitrary: hint }, { weight: 1, arbitrary: shaped }) : shaped;
  return schema.nullable ? fc.option(value, { nil: null, freq: 6 }) : value;
}

function bySchema(schema: Schema, hints: Hints, name: string): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((each) => fromSchema(each, hints, name)));
  switch (schema.type) {
    case "string":
      return string(schema);
    case "integer":
      return fc.integer({ min: lowest(schema, 1), max: highest(schema, 1) });
    case "number":
      return fc.double({
        min: schema.minimum ?? -1e12,
        max: schema.maximum ?? 1e12,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array":
      // Items are not hinted by the array's name: a hint for `linkIds` is a whole array already.
      return fc.array(schema.items ? fromSchema(schema.items, hints) : fc.jsonValue(), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 4, 4),
      });
    case "object":
      return object(schema, hints);
    case undefined:
      // `{}`: any value, e.g. `password`, which takes only null or false.
      return fc.oneof(fc.constantFrom(null, false, true, 0, ""), fc.jsonValue({ maxDepth: 2 }));
    default:
      throw new Error(`schema type ${schema.type}`);
  }
}

/** Beyond every declared limit (the longest is 32,000) and within the 1 MB body limit. */
export const UNBOUNDED_LENGTH = 40_000;

function string(schema: Schema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = schema.maxLength ?? 60;
  // At the limit when there is one; far beyond any sane one when there is none.
  const longest = schema.maxLength ?? UNBOUNDED_LENGTH;
  if (schema.pattern) {
    return fc
      .stringMatching(new RegExp(schema.pattern), { size: "xsmall" })
      .filter((value) => value.length >= minLength && value.length <= maxLength);
  }
  return fc.oneof(
    { weight: 8, arbitrary: fc.string({ minLength, maxLength: Math.min(maxLength, 40) }) },
    { weight: 1, arbitrary: fc.constant("x".repeat(Math.max(minLength, longest))) },
  );
}

const SAFE = Number.MAX_SAFE_INTEGER;

function lowest(schema: Schema, step: number): number {
  if (schema.minimum === undefined) return -SAFE;
  const exclusive = schema.exclusiveMinimum === true;
  return Math.max(-SAFE, schema.minimum + (exclusive ? step : 0));
}

function highest(schema: Schema, step: number): number {
  if (schema.maximum === undefined) return SAFE;
  const exclusive = schema.exclusiveMaximum === true;
  return Math.min(SAFE, schema.maximum - (exclusive ? step : 0));
}

function object(schema: Schema, hints: Hints): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const model = Object.fromEntries(
    Object.entries(properties).map(([key, property]) => [key, fromSchema(property, hints, key)]),
  );
  const record = fc.record(model, { requiredKeys: schema.required ?? [] });
  if (schema.additionalProperties === undefined || schema.additionalProperties === false) return record;
  const extra =
    typeof schema.additionalProperties === "object" && Object.keys(schema.additionalProperties).length > 0
      ? fromSchema(schema.additionalProperties, hints)
      : fc.jsonValue({ maxDepth: 2 });
  return fc
    .tuple(record, fc.dictionary(fc.string({ maxLength: 12 }), extra, { maxKeys: 4 }))
    .map(([known, more]) => ({ ...more, ...known }));
}
