import type { FastifyRequest } from "fastify";

const COUNTRY_HEADERS = ["cf-ipcountry", "x-vercel-ip-country", "x-country-code"];

/** A two-letter country set by a trusted proxy (Cloudflare, Vercel, or a generic header). */
export function countryHeader(request: FastifyRequest): string | undefined {
  for (const name of COUNTRY_HEADERS) {
    const value = request.headers[name];
    if (typeof value === "string" && /^[A-Za-z]{2}$/.test(value)) return value;
  }
  return undefined;
}

/**
 * The visitor's address without a port: some proxies put `203.0.113.7:5421` or `[2001:db8::7]:443` in
 * X-Forwarded-For, which would otherwise be stored (and anonymised) as if it were an address.
 */
export function clientAddress(ip: string): string {
  const bracketed = ip.match(/^\[([^\]]+)\](?::\d+)?$/);
  if (bracketed) return bracketed[1];
  const v4WithPort = ip.match(/^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/);
  return v4WithPort ? v4WithPort[1] : ip;
}
