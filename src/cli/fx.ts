import { isCurrencyCode } from "../domain/conversions/currency.js";
import { type Command, iso, print, table, UsageError, withServices } from "./shared.js";

export const fx: Command = {
  name: "fx",
  usage: `fx set CODE RATE [--json]               set an exchange rate: RATE units of CODE per 1 USD
fx list [--json]                        list the exchange rates in use and where they came from`,
  options: {},
  actions: ["set", "list"],
  async run({ action, rest, values }) {
    const [code, rate] = rest;
    if (action === "set") {
      if (!code || !isCurrencyCode(code) || code.toLowerCase() === "usd") {
        throw new UsageError(
          `fx set needs an ISO 4217 currency code other than USD, got ${JSON.stringify(code ?? "")}`,
          this,
        );
      }
      if (!(Number(rate) > 0))
        throw new UsageError(`fx set needs a positive rate (units of ${code} per 1 USD)`, this);
    }
    await withServices(async ({ fxRates: book }) => {
      if (action === "set") {
        const currency = code.toUpperCase();
        await book.save([{ currency, source: "manual", ratePerUsd: Number(rate), updatedAt: Date.now() }]);
        print(
          { currency, ratePerUsd: Number(rate) },
          values.json,
          `1 USD = ${rate} ${currency} (running servers pick it up within a minute)`,
        );
      } else {
        const rows = (await book.list()).map((entry) => ({
          currency: entry.currency,
          perUsd: entry.ratePerUsd,
          source: entry.source,
          updatedAt: iso(entry.updatedAt),
        }));
        print(rows, values.json, table(rows));
      }
    });
  },
};
