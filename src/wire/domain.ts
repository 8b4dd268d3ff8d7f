import type { Domain, DomainStatus } from "../domain/domains/model.js";
import { iso } from "./iso.js";

/**
 * A domain as Dub's DomainSchema, every key present. Clicktrail checks no DNS (`verified` is false: the domain
 * serves as soon as its DNS points here), has no primary domain (links without one get the server's default
 * domain), buys no domains and serves no app-link files.
 */
export const presentDomain = (domain: Domain) => ({
  id: domain.id,
  slug: domain.slug,
  verified: false,
  primary: false,
  archived: domain.archived,
  placeholder: domain.placeholder,
  expiredUrl: domain.expiredUrl,
  notFoundUrl: domain.notFoundUrl,
  logo: domain.logo,
  assetLinks: null,
  appleAppSiteAssociation: null,
  createdAt: iso(domain.createdAt),
  updatedAt: iso(domain.updatedAt),
  registeredDomain: null,
});

/** Dub's availability answer; prices are a registrar's, and this server is none. */
export const presentDomainStatus = (status: DomainStatus) => ({
  domain: status.domain,
  available: status.available,
  premium: null,
  prices: null,
  price: null,
});
