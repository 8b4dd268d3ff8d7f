import type { DomainError } from "../domain/errors.js";
import type { Link } from "../domain/links/model.js";
import { ROOT_KEY } from "../domain/links/root-link.js";
import { iso } from "./iso.js";
import type { SdkGeneration } from "./sdk-generation.js";
import { presentTag } from "./tag.js";

export type LinkPresenter = (link: Link) => ReturnType<typeof presentLink>;

/** A domain's root link (`_root`) is the domain itself. */
export const shortLinkOf = (link: Pick<Link, "domain" | "key">, protocol: string) =>
  link.key === ROOT_KEY ? `${protocol}://${link.domain}` : `${protocol}://${link.domain}/${link.key}`;

/**
 * Dub's Link object: every key present, `null` where Clicktrail has no such feature or value (`identifier` names a
 * partner's link and `linkRetentionCleanupDisabledAt` exempts a link from Dub's retention cleanup: Clicktrail has
 * neither partners nor that cleanup). `tagId`, which Dub
 * keeps for older clients, is the first of the link's tags. The password is the owner's to see, as in Dub.
 */
export function presentLink(link: Link, protocol: string, generation: SdkGeneration = "current") {
  const shortLink = shortLinkOf(link, protocol);
  return {
    id: link.id,
    domain: link.domain,
    key: link.key,
    url: link.url,
    trackConversion: link.trackConversion,
    externalId: link.externalId,
    identifier: null,
    tenantId: link.tenantId,
    programId: null,
    partnerId: null,
    archived: link.archived,
    expiresAt: iso(link.expiresAt),
    expiredUrl: link.expiredUrl,
    disabledAt: iso(link.disabledAt),
    password: link.password,
    proxy: link.proxy,
    title: link.title,
    description: link.description,
    image: link.image,
    video: null,
    rewrite: link.rewrite,
    linkRetentionCleanupDisabledAt: null,
    doIndex: link.doIndex,
    ios: link.ios,
    android: link.android,
    geo: link.geo,
    publicStats: false,
    tags: link.tags.map((tag) => presentTag(tag, generation)),
    tagId: link.tags[0]?.id ?? null,
    folderId: link.folderId,
    comments: link.comments,
    shortLink,
    qrCode: `${protocol}://${link.domain}/api/qr?url=${encodeURIComponent(`${shortLink}?qr=1`)}`,
    utm_source: link.utmSource,
    utm_medium: link.utmMedium,
    utm_campaign: link.utmCampaign,
    utm_term: link.utmTerm,
    utm_content: link.utmContent,
    testVariants: link.testVariants,
    testStartedAt: iso(link.testStartedAt),
    testCompletedAt: iso(link.testCompletedAt),
    userId: link.userId,
    workspaceId: link.workspaceId,
    projectId: link.workspaceId.replace(/^ws_/, ""),
    webhookIds: link.webhookIds,
    clicks: link.clicks,
    leads: link.leads,
    conversions: link.conversions,
    sales: link.sales,
    saleAmount: link.saleAmount,
    lastClicked: iso(link.lastClicked),
    createdAt: iso(link.createdAt),
    updatedAt: iso(link.updatedAt),
  };
}

/** Dub's LinkError: a bulk item that was not created, in its place among the created links. */
export const presentLinkError = (input: unknown, error: DomainError) => ({
  link: input,
  error: error.message,
  code: error.code,
});
