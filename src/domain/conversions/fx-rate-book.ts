import type { FxRate, FxRateSource, FxRateStore, FxRates } from "./ports.js";

/** A manual rate (`clicktrail fx set`) beats a rates file, which beats the daily feed. */
const PRECEDENCE: FxRateSource[] = ["manual", "file", "feed"];

/** The rates in memory for conversions on the request path, reloaded from the store on `refresh()`. */
export class FxRateBook implements FxRates {
  private rates = new Map<string, number>();

  constructor(private readonly store: FxRateStore) {}

  ratePerUsd(currency: string): number | undefined {
    return this.rates.get(currency.toUpperCase());
  }

  async refresh(): Promise<void> {
    const best = new Map<string, FxRate>();
    for (const rate of await this.store.list()) {
      const current = best.get(rate.currency);
      if (!current || PRECEDENCE.indexOf(rate.source) < PRECEDENCE.indexOf(current.source))
        best.set(rate.currency, rate);
    }
    this.rates = new Map([...best].map(([currency, rate]) => [currency, rate.ratePerUsd]));
  }

  async save(rates: FxRate[]): Promise<void> {
    await this.store.save(rates);
    await this.refresh();
  }

  /** Every stored rate, of every source (the one in use is the first by precedence). */
  list(): Promise<FxRate[]> {
    return this.store.list();
  }

  get size(): number {
    return this.rates.size;
  }
}
