import fc from "fast-check";
import { hostileJson, hostileKey } from "./hostile.js";

/** One change to a well-shaped value: a field (or item) replaced, a field dropped, or a hostile field added. */
type Mutation =
  | { kind: "replace"; at: number; value: unknown }
  | { kind: "drop"; at: number }
  | { kind: "add"; at: number; key: string; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant("replace" as const), at: fc.nat(), value: hostileJson }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("drop" as const), at: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("add" as const),
      at: fc.nat(),
      key: hostileKey,
      value: hostileJson,
    }),
  },
);

/** `shaped` with one to three hostile changes at places chosen among its fields and items. */
export const mutated = (shaped: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc
    .tuple(shaped, fc.array(mutation, { minLength: 1, maxLength: 3 }))
    .map(([value, mutations]) => mutations.reduce(apply, clone(value)));

type Slot = { parent: Record<string, unknown> | unknown[]; key: string | number };

/** Every field and item of `value` (containers before their contents). */
function slots(value: unknown, found: Slot[] = []): Slot[] {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      found.push({ parent: value, key: index });
      slots(item, found);
    });
  } else if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      found.push({ parent: value, key });
      slots(value[key], found);
    }
  }
  return found;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null &&
  typeof value === "object" &&
  [Object.prototype, null].includes(Object.getPrototypeOf(value));

function apply(value: unknown, change: Mutation): unknown {
  if (change.kind === "add") {
    const objects = [value, ...slots(value).map((slot) => read(slot))].filter(isPlainObject);
    if (objects.length === 0) return value;
    define(objects[change.at % objects.length], change.key, clone(change.value));
    return value;
  }
  const all = slots(value);
  if (all.length === 0) return change.kind === "replace" ? clone(change.value) : value;
  const slot = all[change.at % all.length];
  if (change.kind === "replace") write(slot, clone(change.value));
  else if (Array.isArray(slot.parent)) slot.parent.splice(Number(slot.key), 1);
  else delete slot.parent[slot.key];
  return value;
}

const read = (slot: Slot) => (slot.parent as Record<string | number, unknown>)[slot.key];

function write(slot: Slot, value: unknown) {
  if (Array.isArray(slot.parent)) slot.parent[Number(slot.key)] = value;
  else define(slot.parent, String(slot.key), value);
}

/** Sets an own property even when the key is `__proto__`. */
function define(target: Record<string, unknown>, key: string, value: unknown) {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A deep copy of arrays and plain objects (own `__proto__` keys kept); other values are immutable and shared. */
function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, clone(item)]));
}
