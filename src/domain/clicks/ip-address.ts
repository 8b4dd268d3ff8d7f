import { isIP } from "node:net";

/**
 * Drops the host part of an address: the last octet of IPv4 (also IPv4-mapped IPv6), the last 80 bits of
 * IPv6. The result is in canonical form (RFC 5952), so one network is always stored as one string.
 * Anything that is not an IP address gives "": an anonymised column must never leak what it was given.
 */
export function anonymize(ip: string): string {
  const address = ip.trim().replace(/%.*$/, "");
  const kind = isIP(address);
  if (kind === 4) return address.replace(/\.\d+$/, ".0");
  if (kind !== 6) return "";
  const groups = ipv6Groups(address);
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return `::ffff:${groups[6] >> 8}.${groups[6] & 0xff}.${groups[7] >> 8}.0`;
  }
  return formatIpv6([...groups.slice(0, 3), 0, 0, 0, 0, 0]);
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail converted). */
function ipv6Groups(address: string): number[] {
  const parse = (part: string) => {
    if (part === "") return [];
    return part.split(":").flatMap((piece) => {
      if (!piece.includes(".")) return [Number.parseInt(piece, 16)];
      const [a, b, c, d] = piece.split(".").map(Number);
      return [(a << 8) | b, (c << 8) | d];
    });
  };
  const [head, tail] = address.split("::");
  const left = parse(head);
  if (tail === undefined) return left;
  const right = parse(tail);
  return [...left, ...Array(8 - left.length - right.length).fill(0), ...right];
}

/** RFC 5952: lower-case hex without leading zeros; the longest run of two or more zero groups becomes `::`. */
function formatIpv6(groups: number[]): string {
  let best = { start: -1, length: 0 };
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (best.length < 2) return hex.join(":");
  return `${hex.slice(0, best.start).join(":")}::${hex.slice(best.start + best.length).join(":")}`;
}
