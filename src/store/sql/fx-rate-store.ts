import type { Kysely } from "kysely";
import type { FxRate, FxRateSource, FxRateStore } from "../../domain/conversions/ports.js";
import type { Database } from "./schema.js";

export class SqlFxRateStore implements FxRateStore {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<FxRate[]> {
    const rows = await this.db.selectFrom("fx_rates").selectAll().orderBy("currency").execute();
    return rows.map((row) => ({
      currency: row.currency,
      source: row.source as FxRateSource,
      ratePerUsd: Number(row.rate_per_usd),
      updatedAt: Number(row.updated_at),
    }));
  }

  async save(rates: FxRate[]): Promise<void> {
    if (rates.length === 0) return;
    await this.db
      .insertInto("fx_rates")
      .values(
        rates.map((rate) => ({
          currency: rate.currency,
          source: rate.source,
          rate_per_usd: rate.ratePerUsd,
          updated_at: rate.updatedAt,
        })),
      )
      .onConflict((oc) =>
        oc.columns(["currency", "source"]).doUpdateSet((eb) => ({
          rate_per_usd: eb.ref("excluded.rate_per_usd"),
          updated_at: eb.ref("excluded.updated_at"),
        })),
      )
      .execute();
  }
}
