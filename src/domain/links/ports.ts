import type { DomainFallbacks } from "../domains/model.js";
import type { LinkTag } from "../tags/model.js";
import type { OutboxEvent } from "../webhooks/model.js";
import type {
  Link,
  LinkConditions,
  LinkFields,
  LinkFilter,
  LinkGroupCount,
  LinkPageStart,
  LinkWalkFilter,
} from "./model.js";

/** What an update may replace besides a link's fields. */
export type LinkRelations = { tags?: LinkTag[]; webhookIds?: string[] };

/**
 * Storage of links, with their tags, folder and the webhooks that name them (a link's `webhookIds` are the rows
 * of the webhooks' `linkIds`). Writes that break a unique rule throw `UniqueViolation` naming
 * "domain_key" or "external_id"; a write naming a folder or tag of the workspace that is gone by the time it
 * commits throws `MissingReference`.
 */
export interface LinkStore {
  /** Each write queues its webhook event in the same transaction. */
  insert(link: Link, event: OutboxEvent): Promise<void>;
  /** All of them, each with its event, in one transaction: one that cannot be written fails them all. */
  insertMany(links: Link[], events: OutboxEvent[]): Promise<void>;
  /** `tags` and `webhookIds`, when given, replace the link's tags and the webhooks that name it. */
  update(
    workspaceId: string,
    id: string,
    fields: Partial<LinkFields>,
    updatedAt: number,
    event: (updated: Link) => OutboxEvent,
    relations?: LinkRelations,
  ): Promise<Link | null>;
  /** The same for several links in one transaction; ids the workspace has no link for are skipped. */
  updateMany(
    workspaceId: string,
    changes: { id: string; fields: Partial<LinkFields> }[],
    updatedAt: number,
    event: (updated: Link) => OutboxEvent,
    relations?: LinkRelations,
  ): Promise<Link[]>;
  delete(workspaceId: string, id: string, event: OutboxEvent): Promise<boolean>;
  /** The workspace's links among `ids`, deleted in one transaction; returns them as they were. */
  deleteMany(workspaceId: string, ids: string[], event: (deleted: Link) => OutboxEvent): Promise<Link[]>;
  findById(workspaceId: string, id: string): Promise<Link | null>;
  findByIds(workspaceId: string, ids: string[]): Promise<Link[]>;
  findByExternalId(workspaceId: string, externalId: string): Promise<Link | null>;
  findByExternalIds(workspaceId: string, externalIds: string[]): Promise<Link[]>;
  findByUrl(workspaceId: string, url: string): Promise<Link | null>;
  list(workspaceId: string, filter: LinkFilter, from: LinkPageStart): Promise<Link[]>;
  /** Up to `limit` matching links whose id sorts after `afterId` (null: from the first), by id. */
  listAfter(
    workspaceId: string,
    filter: LinkWalkFilter,
    afterId: string | null,
    limit: number,
  ): Promise<Link[]>;
  count(workspaceId: string, conditions: LinkConditions): Promise<number>;
  /** How many links meet `conditions` per domain, tag, folder or user (null: in none, by none), most first. */
  countBy(
    workspaceId: string,
    conditions: LinkConditions,
    group: "domain" | "tagId" | "folderId" | "userId",
  ): Promise<LinkGroupCount[]>;
  /** Redirect resolution is the one lookup without a workspace: a visitor only knows the host and key. */
  findByDomainKey(domain: string, key: string): Promise<Link | null>;
}

/** What a redirect needs, kept close to the request path: links, and the fallbacks of custom domains. */
export interface LinkCache {
  get(domain: string, key: string): Link | null | undefined;
  set(domain: string, key: string, link: Link | null): void;
  /** Forgets a key everywhere the cache is kept; a promise settles once that is done, and never rejects. */
  invalidate(domain: string, key: string): void | Promise<void>;
  /** A host's fallbacks; null: the host is no custom domain with any. */
  getDomain(domain: string): DomainFallbacks | null | undefined;
  setDomain(domain: string, fallbacks: DomainFallbacks | null): void;
  /** Forgets a domain's fallbacks everywhere, as `invalidate` does a key. */
  invalidateDomain(domain: string): void | Promise<void>;
}
