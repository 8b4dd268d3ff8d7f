import type { Domain } from "../domains/model.js";
import { type Link, newLink } from "./model.js";

/** Dub's key for the link that stands for a domain's root (`/`). */
export const ROOT_KEY = "_root";

const ROOT_ID_PREFIX = "link_root_";

/** Dub's answer to deleting a domain's root link. */
export const ROOT_LINK_UNDELETABLE =
  "You can't delete a custom domain link. You can delete the domain instead.";

export const isRootLinkId = (id: string) => id.startsWith(ROOT_ID_PREFIX);

/** The id of a domain's root link: its domain's id under the link prefix, so it names the same domain for good. */
export const rootLinkId = (domainId: string) => `${ROOT_ID_PREFIX}${domainId.replace(/^dom_/, "")}`;

export const domainIdOf = (rootId: string) => `dom_${rootId.slice(ROOT_ID_PREFIX.length)}`;

/**
 * A custom domain's landing settings as Dub's `_root` link (ADR 24): no row of its own, its destination is the
 * domain's placeholder (empty when it has none), and it is as old and as archived as the domain.
 */
export function rootLink(domain: Domain): Link {
  return newLink({
    id: rootLinkId(domain.id),
    workspaceId: domain.workspaceId,
    domain: domain.slug,
    key: ROOT_KEY,
    url: domain.placeholder ?? "",
    archived: domain.archived,
    createdAt: domain.createdAt,
    updatedAt: domain.updatedAt,
  });
}
