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
