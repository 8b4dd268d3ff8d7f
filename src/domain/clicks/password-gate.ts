import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { Link } from "../links/model.js";

/** Tries of a password per link and visitor address in a minute; more are refused until the minute is over. */
export const PASSWORD_ATTEMPTS_PER_MINUTE = 10;

/** How long a right password lets a browser back in without asking again. */
export const UNLOCK_SECONDS = 3_600;

const digest = (text: string) => createHash("sha256").update(text).digest();

/** Compared in constant time, whatever the lengths. */
export function passwordMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * A token that says this link's password was given, until it expires: `<expiry seconds>.<MAC>`, keyed with the
 * server's secret and bound to the link and its current password, so a changed password locks every browser out.
 */
export function unlockToken(secret: string, link: Pick<Link, "id" | "password">, now: number): string {
  const expires = Math.floor(now / 1000) + UNLOCK_SECONDS;
  return `${expires}.${mac(secret, link, expires)}`;
}

export function isUnlocked(
  secret: string,
  link: Pick<Link, "id" | "password">,
  token: string | undefined,
  now: number,
): boolean {
  if (!token || link.password === null) return false;
  const [expiresText, given] = token.split(".");
  const expires = Number(expiresText);
  if (!Number.isSafeInteger(expires) || expires * 1000 <= now || !given) return false;
  const expected = Buffer.from(mac(secret, link, expires));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function mac(secret: string, link: Pick<Link, "id" | "password">, expires: number): string {
  return createHmac("sha256", secret)
    .update(`${link.id}.${expires}.`)
    .update(digest(link.password ?? ""))
    .digest("base64url");
}
