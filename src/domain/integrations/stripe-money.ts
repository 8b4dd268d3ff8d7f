import { minorUnits } from "../conversions/currency.js";

/** Currencies Stripe counts in whole units (¥500 is `500`), whatever ISO 4217 says (MGA has 2 there). */
const ZERO_DECIMAL = new Set("bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split(" "));
/** Currencies Stripe counts in thousandths. */
const THREE_DECIMAL = new Set("bhd jod kwd omr tnd".split(" "));

/** How many decimals Stripe's integer amounts have in `currency` (ISK stays two-decimal in its API). */
export function stripeDecimals(currency: string): number {
  const code = currency.toLowerCase();
  if (ZERO_DECIMAL.has(code)) return 0;
  if (THREE_DECIMAL.has(code)) return 3;
  return 2;
}

/**
 * A Stripe amount in the currency's ISO 4217 minor units, which is how Clicktrail stores every amount:
 * JPY ¥500 stays 500 (Dub multiplies it by 100), ISK 1200 (12.00 kr in Stripe) is 12, MGA 500 is 50000.
 */
export function stripeToMinorUnits(amount: number, currency: string): number {
  const shift = minorUnits(currency) - stripeDecimals(currency);
  return shift >= 0 ? amount * 10 ** shift : Math.round(amount / 10 ** -shift);
}
