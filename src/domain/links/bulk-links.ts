import type { Announcer } from "../announcements.js";
import type { Clock } from "../clock.js";
import {
  badRequest,
  DomainError,
  forbidden,
  MissingReference,
  UniqueViolation,
  unprocessable,
} from "../errors.js";
import type { WebhookPayloads } from "../webhooks/ports.js";
import type { Principal } from "../workspaces/model.js";
import {
  assertTestWindow,
  duplicateExternalId,
  duplicateKey,
  type LinkService,
  normaliseDomain,
} from "./link-service.js";
import type {
  Link,
  LinkConditions,
  LinkCountGroup,
  LinkGroupCount,
  LinkInput,
  NewLinkInput,
} from "./model.js";
import type { LinkCache, LinkStore } from "./ports.js";
import { randomKey } from "./random-key.js";
import { normaliseExternalId } from "./rules.js";
import { keptUtm, touchesUtm, withUtm } from "./utm.js";

/** Dub's limit on the links of one bulk call. */
export const BULK_LIMIT = 100;

/** One item of a bulk create: the link it asks for, or why it could not be read; `input` is what was sent. */
export type BulkCreateItem =
  | { input: unknown; link: NewLinkInput }
  | { input: unknown; invalid: DomainError };

/** Each item's outcome, in the order of the items. */
export type BulkCreateResult = { link: Link } | { input: unknown; error: DomainError };

/** Each selected link, updated, or refused in its place (it sits in a folder the caller may not write in). */
export type BulkUpdateResult = { link: Link } | { link: Link; error: DomainError };

/** Which links a bulk update changes: by id, or (when no id is given) by externalId. */
export type BulkSelection = { linkIds?: string[]; externalIds?: string[] };

/**
 * Dub's bulk link calls. A create reports each item that cannot be made in its place and makes the others in
 * one transaction; updates and deletes are one transaction each. Every link written queues its `link.*` event
 * beside it, as the single calls do.
 */
export class BulkLinkService {
  constructor(
    private readonly links: LinkService,
    private readonly store: LinkStore,
    private readonly cache: LinkCache,
    private readonly clock: Clock,
    private readonly events: WebhookPayloads,
    private readonly announcer: Announcer,
  ) {}

  /** `dryRun`: every check, the stored links' keys and externalIds included, and nothing written. */
  async createMany(
    principal: Principal,
    items: BulkCreateItem[],
    { dryRun = false } = {},
  ): Promise<BulkCreateResult[]> {
    if (items.length === 0) throw unprocessable("No links created – you must provide at least one link.");
    if (items.length > BULK_LIMIT)
      throw unprocessable(`You can only create up to ${BULK_LIMIT} links at a time.`);
    const now = this.clock.now();
    const checked = new Map<string, Promise<unknown>>();
    const results: BulkCreateResult[] = [];
    const ready: { index: number; link: Link; keyGiven: boolean; wanted: NewLinkInput }[] = [];
    const keys = new Set<string>();
    const externalIds = new Set<string>();
    for (const [index, item] of items.entries()) {
      try {
        if ("invalid" in item) throw item.invalid;
        const keyGiven = item.link.key !== undefined;
        const link = await this.links.prepare(principal, item.link, now, {
          checked,
          claim: !dryRun,
          bulk: true,
        });
        while (!keyGiven && keys.has(`${link.domain}/${link.key}`)) link.key = randomKey(item.link);
        if (keys.has(`${link.domain}/${link.key}`)) throw duplicateKey(link);
        if (link.externalId !== null && externalIds.has(link.externalId)) throw duplicateExternalId(link);
        const clash = dryRun ? await this.links.clashOf(link, keyGiven) : null;
        if (clash) throw clash;
        keys.add(`${link.domain}/${link.key}`);
        if (link.externalId !== null) externalIds.add(link.externalId);
        ready.push({ index, link, keyGiven, wanted: item.link });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        results[index] = { input: item.input, error };
      }
    }
    if (dryRun) {
      for (const { index, link } of ready) results[index] = { link };
      return results;
    }
    try {
      await this.store.insertMany(
        ready.map(({ link }) => link),
        ready.map(({ link }) => this.events.linkChanged("link.created", link, now)),
      );
    } catch (error) {
      if (!(error instanceof UniqueViolation || error instanceof MissingReference)) throw error;
      // Some link clashes with one stored meanwhile: each is tried on its own, to tell which.
      for (const { index, link, keyGiven, wanted } of ready) {
        try {
          results[index] = { link: await this.links.insert(link, keyGiven, wanted) };
        } catch (single) {
          if (!(single instanceof DomainError)) throw single;
          results[index] = { input: items[index].input, error: single };
        }
      }
      return results;
    }
    for (const { index, link } of ready) results[index] = { link };
    await this.settled(
      "created",
      ready.map(({ link }) => link),
    );
    return results;
  }

  /**
   * Applies `input` to each selected link of the workspace; ids it has no link for are skipped, as Dub does, and
   * a link in a folder the caller may not write in is refused in its place.
   */
  async updateMany(
    principal: Principal,
    selection: BulkSelection,
    input: LinkInput,
  ): Promise<BulkUpdateResult[]> {
    const ids = selection.linkIds ?? [];
    const externalIds = (selection.externalIds ?? []).map(normaliseExternalId);
    if (ids.length > BULK_LIMIT || externalIds.length > BULK_LIMIT)
      throw unprocessable(`You can only update up to ${BULK_LIMIT} links at a time.`);
    if (ids.length === 0 && externalIds.length === 0)
      throw badRequest("You must provide linkIds or externalIds to update links.");
    const { domain: _domain, key: _key, externalId: _externalId, ...changes } = input;
    const found =
      ids.length > 0
        ? await this.store.findByIds(principal.workspaceId, [...new Set(ids)])
        : await this.store.findByExternalIds(principal.workspaceId, [...new Set(externalIds)]);
    const { writable: before, refused } = await this.writable(principal, found);
    const { fields, ...relations } = await this.links.changes(principal, changes, before);
    for (const link of before) assertTestWindow({ ...link, ...fields });
    const at = this.clock.now();
    try {
      const updated = await this.store.updateMany(
        principal.workspaceId,
        before.map((link) => ({
          id: link.id,
          fields: touchesUtm(fields)
            ? { ...fields, ...withUtm(fields.url ?? link.url, { ...keptUtm(fields.url, link), ...fields }) }
            : fields,
        })),
        at,
        (link) => this.events.linkChanged("link.updated", link, at),
        relations,
      );
      await this.settled("updated", updated);
      const asked = ids.length > 0 ? ids : externalIds;
      const place = (link: Link) => asked.indexOf((ids.length > 0 ? link.id : link.externalId) ?? "");
      const results: BulkUpdateResult[] = [
        ...updated.map((link) => ({ link })),
        ...refused.map((link) => ({
          link,
          error: forbidden(`You don't have permission to move this link to the folder: ${link.folderId}`),
        })),
      ];
      return results.sort((a, b) => place(a.link) - place(b.link));
    } catch (error) {
      // Only a folder or tag deleted meanwhile can refuse it: nothing unique changes.
      throw error instanceof MissingReference ? this.links.translate(error, before[0]) : error;
    }
  }

  async deleteMany(principal: Principal, linkIds: string[]): Promise<{ deletedCount: number }> {
    if (linkIds.length > BULK_LIMIT)
      throw unprocessable(`You can only delete up to ${BULK_LIMIT} links at a time.`);
    const at = this.clock.now();
    let ids = [...new Set(linkIds)];
    if (this.links.gate.readableBy(principal) !== undefined) {
      const { writable } = await this.writable(
        principal,
        await this.store.findByIds(principal.workspaceId, ids),
      );
      ids = writable.map((link) => link.id);
    }
    const deleted = await this.store.deleteMany(principal.workspaceId, ids, (link) =>
      this.events.linkChanged("link.deleted", link, at),
    );
    await this.settled("deleted", deleted);
    return { deletedCount: deleted.length };
  }

  /**
   * How many of the workspace's links meet `conditions`; grouped, how many per value, most first. As in Dub, a
   * grouping ignores the filter on its own dimension, so every value shows.
   */
  async count(principal: Principal, conditions: LinkConditions): Promise<number>;
  async count(
    principal: Principal,
    conditions: LinkConditions,
    groupBy: LinkCountGroup,
  ): Promise<LinkGroupCount[]>;
  async count(
    principal: Principal,
    conditions: LinkConditions,
    groupBy?: LinkCountGroup,
  ): Promise<number | LinkGroupCount[]> {
    const normalised: LinkConditions = {
      ...conditions,
      domain: conditions.domain ? normaliseDomain(conditions.domain) : undefined,
      externalId: conditions.externalId ? normaliseExternalId(conditions.externalId) : undefined,
    };
    if (groupBy !== "folderId" && normalised.folderId)
      await this.links.gate.check(principal, normalised.folderId, "read");
    normalised.readableBy = this.links.gate.readableBy(principal);
    const workspaceId = principal.workspaceId;
    if (groupBy === undefined) return this.store.count(workspaceId, normalised);
    const { domain, tagIds, tagNames, withTags, folderId, ...others } = normalised;
    const kept =
      groupBy === "domain"
        ? { ...others, tagIds, tagNames, withTags, folderId }
        : groupBy === "tagId"
          ? { ...others, domain, folderId }
          : { ...others, domain, tagIds, tagNames, withTags };
    return this.store.countBy(workspaceId, kept, groupBy);
  }

  /** The links the caller may write (those outside folders, or in folders they may write links in), and the rest. */
  private async writable(
    principal: Principal,
    links: Link[],
  ): Promise<{ writable: Link[]; refused: Link[] }> {
    const writable: Link[] = [];
    const refused: Link[] = [];
    const verdicts = new Map<string | null, Promise<boolean>>();
    for (const link of links) {
      if (!verdicts.has(link.folderId))
        verdicts.set(link.folderId, this.links.gate.mayOnLink(principal, link.folderId, "links.write"));
      ((await verdicts.get(link.folderId)) ? writable : refused).push(link);
    }
    return { writable, refused };
  }

  private async settled(change: "created" | "updated" | "deleted", links: Link[]): Promise<void> {
    if (links.length === 0) return;
    this.announcer.announce({ type: "link.changed", change });
    await Promise.all(links.map((link) => this.cache.invalidate(link.domain, link.key)));
  }
}
