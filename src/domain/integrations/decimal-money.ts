import { minorUnits } from "../conversions/currency.js";

/**
 * A decimal string in major units (Shopify's `"45.00"`, JPY `"1500"`) as the currency's ISO 4217 minor units,
 * by string arithmetic (no float multiply); more decimals than the currency has are rounded half up. Null when
 * it is not a plain decimal number.
 */
export function decimalToMinorUnits(value: unknown, currency: string): number | null {
  const text = typeof value === "number" ? String(value) : value;
  if (typeof text !== "string") return null;
  const match = text.trim().match(/^(\d+)(?:\.(\d+))?$/);
  if (!match) return null;
  const digits = minorUnits(currency);
  const fraction = (match[2] ?? "").padEnd(digits + 1, "0");
  const whole = Number(match[1] + fraction.slice(0, digits));
  return fraction[digits] >= "5" ? whole + 1 : whole;
}
