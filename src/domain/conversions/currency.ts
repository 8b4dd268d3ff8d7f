import currencyCodes from "currency-codes";
import type { Money } from "./model.js";
import type { FxRates } from "./ports.js";

const NOT_CURRENCIES = new Set(["XXX", "XTS"]);

export function isCurrencyCode(code: string): boolean {
  const upper = code.toUpperCase();
  return !NOT_CURRENCIES.has(upper) && currencyCodes.code(upper) !== undefined;
}

/** ISO 4217 minor units: 2 for USD/EUR (cents), 0 for JPY/KRW, 3 for KWD/BHD. */
export const minorUnits = (code: string) => currencyCodes.code(code.toUpperCase())?.digits ?? 2;

export class CurrencyConverter {
  constructor(private readonly rates: FxRates) {}

  /**
   * `amount` is in the currency's minor units. Converted to USD cents when a rate is known; otherwise the
   * original amount and currency are kept and flagged, never dropped.
   */
  toUsd(amount: number, currency: string): Money {
    const code = currency.toLowerCase();
    const original = { originalAmount: amount, originalCurrency: code };
    if (code === "usd") return { amount, currency: "usd", converted: true, ...original };
    const rate = this.rates.ratePerUsd(code.toUpperCase());
    if (!rate) return { amount, currency: code, converted: false, ...original };
    const major = amount / 10 ** minorUnits(code);
    return { amount: Math.round((major / rate) * 100), currency: "usd", converted: true, ...original };
  }
}
