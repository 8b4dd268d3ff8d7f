import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import type { ReceiverCheck } from "../domain/webhooks/ports.js";

const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  PRIVATE.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 96],
  ["::ffff:0:0:0", 96],
  ["64:ff9b:1::", 48],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["64:ff9b::", 96],
  ["2002::", 16],
  ["ff00::", 8],
] as const) {
  PRIVATE.addSubnet(network, prefix, "ipv6");
}

/**
 * Loopback, private, link-local, carrier-grade NAT, multicast and reserved addresses, and every IPv6 form that
 * embeds an IPv4 address (mapped, compatible, SIIT-translated, NAT64 and 6to4), whatever address it embeds.
 */
export function isPrivateAddress(address: string): boolean {
  const mapped = address.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i);
  if (mapped) return PRIVATE.check(mapped[1], "ipv4");
  const family = isIP(address);
  if (family === 0) return true;
  return PRIVATE.check(address, family === 4 ? "ipv4" : "ipv6");
}

export type ResolvedTarget = { address: string; family: 4 | 6 };

/**
 * Resolves a URL's host and refuses it when any of its addresses is private (unless allowed). The caller connects
 * to the returned address, so DNS cannot answer differently between this check and the connection.
 */
export async function resolvePublicTarget(url: URL, allowPrivate: boolean): Promise<ResolvedTarget> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const addresses = isIP(host)
    ? [{ address: host, family: isIP(host) as 4 | 6 }]
    : ((await lookup(host, { all: true, verbatim: true })) as ResolvedTarget[]);
  if (addresses.length === 0) throw new AddressRefused(`${url.hostname} does not resolve`);
  if (!allowPrivate) {
    const blocked = addresses.find((entry) => isPrivateAddress(entry.address));
    if (blocked) {
      throw new AddressRefused(
        `${url.hostname} resolves to ${blocked.address}, a private or loopback address`,
      );
    }
  }
  return addresses[0];
}

export class AddressRefused extends Error {}

/** Why webhooks may not deliver to `url`, or null: its host must resolve, and to public addresses only. */
export const receiverRefusal =
  (allowPrivate: boolean): ReceiverCheck =>
  async (url) => {
    try {
      await resolvePublicTarget(new URL(url), allowPrivate);
      return null;
    } catch (error) {
      if (error instanceof AddressRefused) {
        return `${error.message}; webhooks may only point at public addresses`;
      }
      return `${url} cannot be resolved (${(error as Error).message})`;
    }
  };
