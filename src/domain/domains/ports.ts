import type { Link } from "../links/model.js";
import type { OutboxEvent } from "../webhooks/model.js";
import type { Domain, DomainFallbacks, DomainFields, DomainFilter } from "./model.js";

/**
 * Custom domains and their owners (ADR 12). A domain that links of several workspaces already share (from
 * before domains had owners) stays unowned, and nobody can claim it. Renaming to a slug that is taken throws
 * `UniqueViolation` naming "slug".
 */
export interface DomainStore {
  /**
   * Inserts `domain` if nobody owns its slug and no other workspace has links on it, atomically. Returns the
   * slug's owner afterwards, or null when the domain is unowned and could not be claimed.
   */
  claim(domain: Domain): Promise<string | null>;
  /** Whether `claim` would insert the domain for the workspace now. */
  claimable(workspaceId: string, slug: string): Promise<boolean>;
  /** Whether the server knows the domain: owned, or used by some link. */
  isKnown(slug: string): Promise<boolean>;
  find(workspaceId: string, slug: string): Promise<Domain | null>;
  findById(workspaceId: string, id: string): Promise<Domain | null>;
  list(workspaceId: string, filter: DomainFilter): Promise<Domain[]>;
  /** How many of the workspace's links are on the domain. */
  countLinks(workspaceId: string, slug: string): Promise<number>;
  update(
    workspaceId: string,
    slug: string,
    fields: Partial<Omit<DomainFields, "slug">>,
    at: number,
  ): Promise<Domain | null>;
  /**
   * Renames the domain and moves all its links onto the new slug in one transaction, queueing each moved link's
   * event beside it. Null when the workspace has no such domain.
   */
  rename(
    workspaceId: string,
    slug: string,
    fields: Partial<DomainFields> & { slug: string },
    at: number,
    event: (moved: Link) => OutboxEvent,
  ): Promise<{ domain: Domain; moved: Link[] } | null>;
  /**
   * Deletes up to `limit` of the domain's links in one transaction, each with its event; the transaction that
   * finds fewer also deletes the domain (`removed`).
   */
  deleteSome(
    workspaceId: string,
    slug: string,
    limit: number,
    event: (deleted: Link) => OutboxEvent,
  ): Promise<{ deleted: Link[]; removed: boolean }>;
  /** The one lookup without a workspace: a visitor only knows the host. Null when no workspace owns it. */
  fallbacksOf(slug: string): Promise<DomainFallbacks | null>;
}
