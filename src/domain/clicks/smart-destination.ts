import { createHash } from "node:crypto";
import type { Link, TestVariant } from "../links/model.js";

/** What of the visitor a link's targeting reads. */
export type TargetingNeeds = { os: boolean; country: boolean; bucket: boolean };

/** The visitor as targeting sees it; null where the link does not ask. */
export type VisitorTraits = {
  /** The operating system's name as the device detector gives it ("iOS", "Android", …). */
  os: string | null;
  country: string | null;
  /** The visitor's place (0–99) in the link's A/B test: `variantBucket`. */
  bucket: number | null;
};

/** What a visit to `link` needs to know of its visitor; null for a link that sends everyone to its `url`. */
export function targetingNeeds(link: Link, now: number): TargetingNeeds | null {
  const os = link.ios !== null || link.android !== null;
  const country = link.geo !== null;
  const bucket = isTestRunning(link, now);
  return os || country || bucket ? { os, country, bucket } : null;
}

/** Variants split the visitors from `testStartedAt` (or the start) until `testCompletedAt` (or for good). */
export function isTestRunning(link: Link, now: number): boolean {
  return (
    link.testVariants !== null &&
    link.testVariants.length > 0 &&
    (link.testStartedAt === null || link.testStartedAt <= now) &&
    (link.testCompletedAt === null || now < link.testCompletedAt)
  );
}

/**
 * Where a visitor is sent: the device's target (iOS, Android), else the country's, else the visitor's variant
 * while the link's A/B test runs, else the link's `url`. Dub's order: the most specific target wins.
 */
export function smartDestination(link: Link, traits: VisitorTraits, now: number): string {
  if (link.ios !== null && traits.os === "iOS") return link.ios;
  if (link.android !== null && traits.os === "Android") return link.android;
  const country = traits.country?.toUpperCase();
  if (country !== undefined && link.geo !== null && Object.hasOwn(link.geo, country))
    return link.geo[country];
  if (traits.bucket !== null && link.testVariants !== null && isTestRunning(link, now)) {
    return pickVariant(link.testVariants, traits.bucket);
  }
  return link.url;
}

/** The variant whose share of 0–99 holds `bucket`, the shares taken in the variants' order. */
export function pickVariant(variants: TestVariant[], bucket: number): string {
  let upTo = 0;
  for (const variant of variants) {
    upTo += variant.percentage;
    if (bucket < upTo) return variant.url;
  }
  return variants[variants.length - 1].url;
}

/**
 * A visitor's place (0–99) in a link's test, from the visitor hash (IP and User-Agent, keyed): the same visitor
 * gets the same variant on every visit without a cookie, and different links split visitors independently.
 */
export function variantBucket(identityHash: string, linkId: string): number {
  return createHash("sha256").update(`${linkId}:${identityHash}`).digest().readUInt32BE(0) % 100;
}
