import { randomBytes } from "node:crypto";
import { customAlphabet } from "nanoid";

const ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export const alphanumeric = (size: number) => customAlphabet(ALPHANUMERIC, size);

export const newClickId = alphanumeric(16);
export const newEventId = alphanumeric(16);
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
