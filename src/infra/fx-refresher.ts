import type { Logger } from "pino";
import { ConfigError } from "../config.js";
import type { FxRateBook } from "../domain/conversions/fx-rate-book.js";
import { fetchEcbRates, readRatesFile } from "./fx-sources.js";

const DAY = 24 * 60 * 60 * 1000;
const RETRY = 60 * 60 * 1000;
const RELOAD = 60 * 1000;

export type FxSourcesConfig = { fxRatesFile: string | undefined; fxRatesUrl: string | undefined };

/**
 * Keeps the rate book current: the rates file once at boot, the feed at boot then daily (hourly retries
 * after a failure), and a reload from storage every minute so `clicktrail fx set` reaches running servers.
 */
export class FxRefresher {
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly book: FxRateBook,
    private readonly config: FxSourcesConfig,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    if (this.config.fxRatesFile) {
      const rates = await readRatesFile(this.config.fxRatesFile, Date.now()).catch((error: Error) => {
        throw new ConfigError([`FX_RATES_FILE=${JSON.stringify(this.config.fxRatesFile)}: ${error.message}`]);
      });
      await this.book.save(rates);
      this.logger.info({ file: this.config.fxRatesFile, currencies: rates.length }, "exchange rates loaded");
    }
    await this.book.refresh();
    if (this.config.fxRatesUrl) await this.fetchFeed(this.config.fxRatesUrl);
    this.every(RELOAD, () => this.book.refresh());
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }

  private async fetchFeed(url: string): Promise<void> {
    let next = DAY;
    try {
      const rates = await fetchEcbRates(url, Date.now());
      await this.book.save(rates);
      this.logger.info({ url, currencies: rates.length }, "exchange rates fetched");
    } catch (error) {
      next = RETRY;
      this.logger.warn({ url, err: error }, "could not fetch exchange rates; keeping the previous ones");
    }
    this.timers.push(setTimeout(() => void this.fetchFeed(url), next).unref());
  }

  private every(ms: number, task: () => Promise<void>) {
    const timer = setInterval(() => {
      task().catch((error) => this.logger.warn({ err: error }, "exchange-rate reload failed"));
    }, ms).unref();
    this.timers.push(timer);
  }
}
