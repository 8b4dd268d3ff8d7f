import { createRequire } from "node:module";
import { countries } from "countries-list";
import maxmind, { type Reader, type Response } from "maxmind";
import type { GeoResolver, Location } from "../domain/clicks/ports.js";

type CountryRecord = { country_code?: string };

const isCountry = (code: string) => Object.hasOwn(countries, code);

const UNKNOWN: Location = { country: "Unknown", continent: "Unknown", city: "Unknown", region: "Unknown" };

/** Country from the bundled CC0 geo-whois-asn-country database; continent derived from the country. */
export class MmdbGeoResolver implements GeoResolver {
  private constructor(private readonly reader: Reader<Response>) {}

  static async open(): Promise<MmdbGeoResolver> {
    const require = createRequire(import.meta.url);
    const file = require.resolve("@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb");
    return new MmdbGeoResolver(await maxmind.open(file, { watchForUpdates: false }));
  }

  /** A hint that names no country (Cloudflare's "XX" for unknown) falls back to the database. */
  locate(ip: string, countryHint?: string): Location {
    const hinted = countryHint?.toUpperCase();
    const code = hinted && isCountry(hinted) ? hinted : this.lookup(ip)?.toUpperCase();
    if (!code || !isCountry(code)) return UNKNOWN;
    return { ...UNKNOWN, country: code, continent: countries[code as keyof typeof countries].continent };
  }

  private lookup(ip: string): string | undefined {
    try {
      return (this.reader.get(ip) as CountryRecord | null)?.country_code;
    } catch {
      return undefined;
    }
  }
}
