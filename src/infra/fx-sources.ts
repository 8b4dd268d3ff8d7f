import { readFile } from "node:fs/promises";
import { isCurrencyCode } from "../domain/conversions/currency.js";
import type { FxRate, FxRateSource } from "../domain/conversions/ports.js";

/**
 * The European Central Bank's daily reference-rate XML (eurofxref-daily.xml): rates are units per euro,
 * rebased here to units per US dollar.
 */
export function parseEcbXml(xml: string, now: number): FxRate[] {
  const perEuro = new Map<string, number>([["EUR", 1]]);
  for (const match of latestDay(xml).matchAll(/currency=['"]([A-Z]{3})['"]\s+rate=['"]([0-9.]+)['"]/g)) {
    perEuro.set(match[1], Number(match[2]));
  }
  return rebase(perEuro, "USD", "feed", now, "the ECB feed");
}

/**
 * The history files (eurofxref-hist-90d.xml, …) hold one `<Cube time='YYYY-MM-DD'>` per day: only the
 * latest day's rates count, wherever it sits in the file. A file without days is read whole.
 */
function latestDay(xml: string): string {
  const starts = [...xml.matchAll(/<Cube\s+time=['"](\d{4}-\d{2}-\d{2})['"]/g)];
  if (starts.length === 0) return xml;
  let latest = 0;
  for (let i = 1; i < starts.length; i++) if (starts[i][1] > starts[latest][1]) latest = i;
  return xml.slice(starts[latest].index, starts[latest + 1]?.index ?? xml.length);
}

/**
 * FX_RATES_FILE: `{"base":"USD","rates":{"EUR":0.92,"JPY":151.3}}` (units per one `base`), or a flat
 * `{"EUR":0.92}` taken as per US dollar.
 */
export async function readRatesFile(path: string, now: number): Promise<FxRate[]> {
  const json = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
  const base = typeof json.base === "string" ? json.base.toUpperCase() : "USD";
  const table = (typeof json.rates === "object" && json.rates !== null ? json.rates : json) as Record<
    string,
    unknown
  >;
  const perBase = new Map<string, number>([[base, 1]]);
  for (const [currency, rate] of Object.entries(table)) {
    if (currency === "base") continue;
    if (typeof rate !== "number" || !(rate > 0) || !isCurrencyCode(currency)) {
      throw new Error(
        `${path}: "${currency}": ${JSON.stringify(rate)} is not a positive rate for an ISO 4217 code`,
      );
    }
    perBase.set(currency.toUpperCase(), rate);
  }
  return rebase(perBase, "USD", "file", now, path);
}

function rebase(
  perBase: Map<string, number>,
  target: string,
  source: FxRateSource,
  now: number,
  origin: string,
): FxRate[] {
  const targetPerBase = perBase.get(target);
  if (!targetPerBase)
    throw new Error(`${origin} has no ${target} rate, so its rates cannot be expressed per ${target}`);
  return [...perBase]
    .filter(([currency]) => currency !== target)
    .map(([currency, rate]) => ({ currency, source, ratePerUsd: rate / targetPerBase, updatedAt: now }));
}

export async function fetchEcbRates(url: string, now: number): Promise<FxRate[]> {
  const response = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  const rates = parseEcbXml(await response.text(), now);
  if (rates.length === 0) throw new Error(`${url} held no rates`);
  return rates;
}
