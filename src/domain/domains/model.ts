import { prefixedId } from "../ids.js";

/** A custom domain of one workspace (ADR 12) and what its visitors get when a link does not answer. */
export type Domain = {
  id: string;
  slug: string;
  workspaceId: string;
  /** Where the domain's root (`/`) sends visitors. */
  placeholder: string | null;
  /** Where an expired link of the domain sends visitors when the link names no `expiredUrl` of its own. */
  expiredUrl: string | null;
  /** Where an unknown key on the domain sends visitors. */
  notFoundUrl: string | null;
  logo: string | null;
  archived: boolean;
  createdAt: number;
  updatedAt: number;
};

/** The fields a caller may set; `slug` renames the domain. */
export type DomainFields = Pick<
  Domain,
  "slug" | "placeholder" | "expiredUrl" | "notFoundUrl" | "logo" | "archived"
>;

export type DomainInput = Partial<DomainFields>;

/** `archived` picks archived domains or the others, as Dub does. */
export type DomainFilter = { archived: boolean; search?: string; page: number; pageSize: number };

/** What a redirect needs of a domain: the addresses it falls back to. */
export type DomainFallbacks = Pick<Domain, "placeholder" | "expiredUrl" | "notFoundUrl">;

/** Whether a workspace could add the domain now. */
export type DomainStatus = { domain: string; available: boolean };

export function newDomain(
  workspaceId: string,
  slug: string,
  at: number,
  fields: Omit<DomainInput, "slug"> = {},
): Domain {
  return {
    id: prefixedId("dom"),
    slug,
    workspaceId,
    placeholder: fields.placeholder ?? null,
    expiredUrl: fields.expiredUrl ?? null,
    notFoundUrl: fields.notFoundUrl ?? null,
    logo: fields.logo ?? null,
    archived: fields.archived ?? false,
    createdAt: at,
    updatedAt: at,
  };
}
