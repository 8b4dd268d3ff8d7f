import { randomBytes } from "node:crypto";
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
export function timeOrderedId(now = Date.now()): string {
  let time = "";
  let ms = now;
  for (let i = 0; i < 8; i++) {
    time = ALPHANUMERIC[ms % 62] + time;
    ms = Math.floor(ms / 62);
  }
  return time + randomTail();
}

export const newClickId = () => timeOrderedId();
export const newEventId = () => timeOrderedId();
export const newLinkKey = alphanumeric(7);
const apiKeySecret = alphanumeric(24);
export const newApiKey = () => `dub_${apiKeySecret()}`;
export const newPublishableKey = () => `dub_pk_${apiKeySecret()}`;

/** A ULID: 48 bits of milliseconds then 80 random bits, Crockford base32 (26 characters, sortable). */
export function ulid(now = Date.now()): string {
  let time = "";
  let ms = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[ms % 32] + time;
    ms = Math.floor(ms / 32);
  }
  const bytes = randomBytes(16);
  let random = "";
  for (let i = 0; i < 16; i++) random += CROCKFORD[bytes[i] % 32];
  return time + random;
}

export const prefixedId = (prefix: string) => `${prefix}_${ulid()}`;
