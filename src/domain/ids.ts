import { customAlphabet } from "nanoid";

const ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export const alphanumeric = (size: number) => customAlphabet(ALPHANUMERIC, size);

const randomTail = alphanumeric(8);

/**
 * 16 alphanumeric characters, as Dub's: the milliseconds in 8 base-62 digits, then 8 random ones (47 bits). Ids
 * made together sort together, so their primary-key index grows at its end instead of dirtying a page per row
 * (ADR 30).
 */
export const timeOrderedId = (now = Date.now()) => inDigits(now, ALPHANUMERIC, 8) + randomTail();

export const newClickId = () => timeOrderedId();
export const newEventId = () => timeOrderedId();
export const newLinkKey = alphanumeric(7);
const apiKeySecret = alphanumeric(24);
export const newApiKey = () => `dub_${apiKeySecret()}`;
export const newPublishableKey = () => `dub_pk_${apiKeySecret()}`;

// nanoid draws from a pool of random bytes refilled a few kilobytes at a time; `randomBytes(16)` per id was a
// system call each (2 % of the main thread under `bench:track`).
const ulidTail = customAlphabet(CROCKFORD, 16);

/** A ULID: 48 bits of milliseconds then 80 random bits, Crockford base32 (26 characters, sortable). */
export const ulid = (now = Date.now()): string => inDigits(now, CROCKFORD, 10) + ulidTail();

/** `value` in `count` digits of `alphabet`, the most significant first. */
function inDigits(value: number, alphabet: string, count: number): string {
  let digits = "";
  for (let rest = value, i = 0; i < count; i++, rest = Math.floor(rest / alphabet.length))
    digits = alphabet[rest % alphabet.length] + digits;
  return digits;
}

export const prefixedId = (prefix: string) => `${prefix}_${ulid()}`;
