import { z } from "zod";
import {
  INSTANT_RANGE_TEXT,
  isoPartsToEpoch,
  isWithinInstantRange,
  parseIsoParts,
} from "../../domain/instants.js";

/** Query booleans arrive as the strings "true"/"false". */
export const queryBoolean = z.enum(["true", "false"]).transform((value) => value === "true");

/** An ISO 8601 date or date-time (UTC unless it carries an offset), as epoch milliseconds. */
export const isoDate = z.string().transform((value, context) => {
  const parts = parseIsoParts(value);
  const epoch = parts ? isoPartsToEpoch(parts) : Number.NaN;
  if (!isWithinInstantRange(epoch)) {
    context.addIssue({
      code: "custom",
      message: parts ? `must be ${INSTANT_RANGE_TEXT}` : "expected an ISO 8601 date",
    });
    return z.NEVER;
  }
  return epoch;
});

/** A list as Dub's query parameters and bodies take one: repeated, a JSON array, or comma-separated. */
export const listOf = z
  .union([z.string(), z.array(z.string())])
  .transform((value) =>
    (Array.isArray(value) ? value : value.split(","))
      .map((item) => item.trim())
      .filter((item) => item !== ""),
  );

/** Marks a refusal Dub words in a sentence of its own: the API answers that message alone, as Dub does. */
export const DUB_MESSAGE = { dubMessage: true } as const;

/** A refused field as the API words a validation failure: `code: path: message`, or Dub's own sentence alone. */
export function describeIssue(issue: {
  code: string;
  path: readonly PropertyKey[];
  message: string;
  params?: Record<string, unknown>;
}): string {
  if (issue.params?.dubMessage === true) return issue.message;
  return [issue.code, issue.path.map(String).join("."), issue.message].filter(Boolean).join(": ");
}
