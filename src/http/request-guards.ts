/**
 * One rule for every store, applied before anything is parsed further: text must be valid Unicode without NUL
 * (PostgreSQL cannot store U+0000, and a lone surrogate is no character at all), and a body nests at most
 * MAX_BODY_DEPTH levels (deeper bodies would overflow the stack of whatever walks them next).
 */
export const MAX_BODY_DEPTH = 64;

export const NUL_IN_URL = "The request URL contains a NUL character (%00), which is not allowed.";
export const UNSTORABLE_TEXT =
  "The request body contains text that is not valid Unicode (a NUL character or a lone surrogate), which is not allowed.";
export const TOO_DEEP = `The request body is nested more than ${MAX_BODY_DEPTH} levels deep.`;

export const hasNulEscape = (url: string) => /%00/.test(url);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const isStorable = (text: string) => !text.includes("\u0000") && !LONE_SURROGATE.test(text);

/** Why a parsed JSON body is refused, or null. Walks without recursion, so no body can exhaust the stack. */
export function bodyProblem(body: unknown): string | null {
  const pending: [unknown, number][] = [[body, 0]];
  while (pending.length > 0) {
    const [value, depth] = pending.pop() as [unknown, number];
    if (typeof value === "string") {
      if (!isStorable(value)) return UNSTORABLE_TEXT;
      continue;
    }
    if (value === null || typeof value !== "object") continue;
    if (depth >= MAX_BODY_DEPTH) return TOO_DEEP;
    for (const [name, child] of Object.entries(value)) {
      if (!isStorable(name)) return UNSTORABLE_TEXT;
      pending.push([child, depth + 1]);
    }
  }
  return null;
}
