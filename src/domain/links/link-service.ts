import type { Announcer } from "../announcements.js";
import type { Clock } from "../clock.js";
import { newDomain } from "../domains/model.js";
import type { DomainStore } from "../domains/ports.js";
import {
  conflict,
  DomainError,
  forbidden,
  MissingReference,
  notFound,
  UniqueViolation,
  unprocessable,
} from "../errors.js";
import { FOLDER_FORBIDDEN, FolderGate } from "../folders/folder-gate.js";
import type { FolderStore } from "../folders/ports.js";
import { prefixedId } from "../ids.js";
import { nameKey } from "../names.js";
import type { LinkTag } from "../tags/model.js";
import type { TagStore } from "../tags/ports.js";
import type { WebhookPayloads, WebhookStore } from "../webhooks/ports.js";
import type { Principal } from "../workspaces/model.js";
import {
  type KeyOptions,
  type Link,
  type LinkFields,
  type LinkFilter,
  type LinkInput,
  type LinkWalkFilter,
  type NewLinkInput,
  newLink,
  type TagSelection,
} from "./model.js";
import type { LinkCache, LinkRelations, LinkStore } from "./ports.js";
import { randomKey } from "./random-key.js";
import { domainIdOf, isRootLinkId, ROOT_LINK_UNDELETABLE, rootLink } from "./root-link.js";
import { canonicalKey, isReservedKey, normaliseExternalId } from "./rules.js";
import { keptUtm, touchesUtm, withUtm } from "./utm.js";
import { assertWebhookSubscriptions } from "./webhook-subscriptions.js";

const RANDOM_KEY_ATTEMPTS = 5;

export type LinkLookup = { linkId?: string; externalId?: string; domain?: string; key?: string };

/** How a batch words a folder the caller may not write links in (Dub's bulk message). */
export const noWriteAccess = (folderId: string) =>
  forbidden(`You don't have write access to the folder: ${folderId}`);

export class LinkService {
  readonly gate: FolderGate;

  constructor(
    private readonly store: LinkStore,
    private readonly domains: DomainStore,
    private readonly cache: LinkCache,
    private readonly clock: Clock,
    private readonly defaultDomain: string,
    private readonly events: WebhookPayloads,
    private readonly announcer: Announcer,
    private readonly tags: Pick<TagStore, "findByIds" | "findByNames">,
    folders: Pick<FolderStore, "findById" | "roleOf">,
    private readonly webhooks: Pick<WebhookStore, "list">,
  ) {
    this.gate = new FolderGate(folders);
  }

  async create(principal: Principal, input: NewLinkInput): Promise<Link> {
    const link = await this.prepare(principal, input, this.clock.now());
    return this.insert(link, input.key !== undefined, input);
  }

  /**
   * The new link `input` describes, checked against the workspace's tags, folders and domains, not stored yet.
   * A batch passes one `checked` map, so each folder and domain is looked up once. A custom domain nobody owns
   * is claimed for the workspace, unless `claim` is false (a dry run), which only checks that it could be. A
   * batch (`bulk`) words a folder the caller may not write in as Dub's bulk calls do.
   */
  async prepare(
    principal: Principal,
    input: NewLinkInput,
    now: number,
    { checked = new Map<string, Promise<unknown>>(), claim = true, bulk = false } = {},
  ): Promise<Link> {
    const { tags: selection, webhookIds, keyPrefix, keyLength, ...rest } = input;
    const fields = { ...this.normalise(rest), ...withUtm(input.url, rest) };
    assertTestWindow(fields);
    const once = <T>(name: string, check: () => Promise<T>): Promise<T> => {
      if (!checked.has(name)) checked.set(name, check());
      return checked.get(name) as Promise<T>;
    };
    const tags = selection
      ? await once(`tags ${JSON.stringify(selection)}`, () => this.tagsOf(principal, selection))
      : [];
    const { folderId } = fields;
    if (folderId) {
      const writable = once(`folder ${folderId}`, () =>
        this.gate.check(principal, folderId, "links.write").then(
          () => true,
          (error) => {
            if (bulk && error instanceof DomainError && error.code === "forbidden") return false;
            throw error;
          },
        ),
      );
      if (!(await writable)) throw noWriteAccess(folderId);
    }
    if (webhookIds?.length) {
      const webhooks = await once("webhooks", () => this.webhooks.list(principal.workspaceId));
      assertWebhookSubscriptions(webhooks, [], webhookIds);
    }
    const domain = fields.domain ?? this.defaultDomain;
    await once(`domain ${domain}`, () =>
      claim ? this.assertDomainOf(principal, domain, now) : this.assertDomainUsable(principal, domain),
    );
    return newLink({
      ...fields,
      tags,
      webhookIds: [...new Set(webhookIds ?? [])].sort(),
      id: prefixedId("link"),
      workspaceId: principal.workspaceId,
      domain,
      key: fields.key ?? randomKey({ keyPrefix, keyLength }),
      userId: principal.actsAs?.userId ?? null,
      createdAt: now,
    });
  }

  /** Stores a prepared link with its `link.created` event; a random key that turns out taken is drawn again. */
  async insert(prepared: Link, keyGiven: boolean, keyOptions: KeyOptions = {}): Promise<Link> {
    let link = prepared;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.store.insert(link, this.events.linkChanged("link.created", link, link.createdAt));
        this.announcer.announce({ type: "link.changed", change: "created" });
        await this.cache.invalidate(link.domain, link.key);
        return link;
      } catch (error) {
        const retry = !keyGiven && error instanceof UniqueViolation && error.target === "domain_key";
        if (!retry || attempt >= RANDOM_KEY_ATTEMPTS) throw this.translate(error, link);
        link = { ...link, key: randomKey(keyOptions) };
      }
    }
  }

  /** By id, or by `ext_<externalId>` as Dub allows wherever a link id goes in a path; 403 in a folder not readable. */
  async get(principal: Principal, linkId: string): Promise<Link> {
    return this.allowed(principal, await this.find(principal, linkId), "read");
  }

  /** The link, when the caller may take `action` on the folder it sits in; Dub's 403 otherwise. */
  private async allowed(principal: Principal, link: Link, action: "read" | "links.write"): Promise<Link> {
    if (!(await this.gate.mayOnLink(principal, link.folderId, action))) throw forbidden(FOLDER_FORBIDDEN);
    return link;
  }

  private async find(principal: Principal, linkId: string): Promise<Link> {
    if (isRootLinkId(linkId)) {
      const domain = await this.domains.findById(principal.workspaceId, domainIdOf(linkId));
      if (!domain) throw notFound("Link not found.");
      return rootLink(domain);
    }
    const link = linkId.startsWith("ext_")
      ? await this.store.findByExternalId(principal.workspaceId, normaliseExternalId(linkId))
      : await this.store.findById(principal.workspaceId, linkId);
    if (!link) throw notFound("Link not found.");
    return link;
  }

  async info(principal: Principal, lookup: LinkLookup): Promise<Link> {
    let link: Link | null = null;
    if (lookup.linkId) return this.get(principal, lookup.linkId);
    else if (lookup.externalId)
      link = await this.store.findByExternalId(principal.workspaceId, normaliseExternalId(lookup.externalId));
    else if (lookup.key) {
      const found = await this.store.findByDomainKey(
        normaliseDomain(lookup.domain ?? this.defaultDomain),
        canonicalKey(lookup.key),
      );
      link = found?.workspaceId === principal.workspaceId ? found : null;
    } else if (lookup.domain) {
      const domain = await this.domains.find(principal.workspaceId, normaliseDomain(lookup.domain));
      link = domain && rootLink(domain);
    } else {
      throw new DomainError(
        "bad_request",
        "You must provide a domain and a key, a linkId, or an externalId to retrieve a link.",
      );
    }
    if (!link) throw notFound("Link not found.");
    return this.allowed(principal, link, "read");
  }

  /**
   * A cursor (`startingAfter` or `endingBefore`, a link of the workspace) wins over `page`; a cursor naming no
   * link of the workspace has nothing next to it, so its page is empty, as in Dub.
   */
  async list(principal: Principal, filter: LinkFilter): Promise<Link[]> {
    const { startingAfter, endingBefore } = filter;
    if (startingAfter !== undefined && endingBefore !== undefined) {
      throw unprocessable("You cannot use both startingAfter and endingBefore at the same time.");
    }
    if (filter.folderId) await this.gate.check(principal, filter.folderId, "read");
    const cursorId = startingAfter ?? endingBefore;
    const cursor =
      cursorId === undefined ? undefined : await this.store.findById(principal.workspaceId, cursorId);
    if (cursorId !== undefined && !cursor) return [];
    const from = !cursor
      ? { offset: (filter.page - 1) * filter.pageSize }
      : startingAfter !== undefined
        ? { after: cursor }
        : { before: cursor };
    return this.store.list(
      principal.workspaceId,
      {
        ...filter,
        domain: filter.domain ? normaliseDomain(filter.domain) : undefined,
        externalId: filter.externalId ? normaliseExternalId(filter.externalId) : undefined,
        readableBy: this.gate.readableBy(principal),
      },
      from,
    );
  }

  /**
   * Every matching link of the workspace, `batch` at a time, in id order: each batch is read on its own (a
   * keyset page), so the walk holds one batch in memory and costs the same at the millionth link as at the first.
   */
  async walk(principal: Principal, filter: LinkWalkFilter, batch = 1_000): Promise<AsyncGenerator<Link[]>> {
    if (filter.folderId) await this.gate.check(principal, filter.folderId, "read");
    return this.pages(
      principal.workspaceId,
      {
        ...filter,
        domain: filter.domain ? normaliseDomain(filter.domain) : undefined,
        externalId: filter.externalId ? normaliseExternalId(filter.externalId) : undefined,
        readableBy: this.gate.readableBy(principal),
      },
      batch,
    );
  }

  private async *pages(workspaceId: string, filter: LinkWalkFilter, batch: number): AsyncGenerator<Link[]> {
    let afterId: string | null = null;
    for (;;) {
      const links = await this.store.listAfter(workspaceId, filter, afterId, batch);
      if (links.length > 0) yield links;
      if (links.length < batch) return;
      afterId = links[links.length - 1].id;
    }
  }

  async update(principal: Principal, linkId: string, input: LinkInput): Promise<Link> {
    const before = await this.allowed(principal, await this.find(principal, linkId), "links.write");
    if (isRootLinkId(before.id))
      throw forbidden(
        `The root link of ${before.domain} shows the domain's landing settings: change them with PATCH /domains/${before.domain}.`,
      );
    const { fields, ...relations } = await this.changes(principal, input, [before]);
    if (touchesUtm(fields)) {
      Object.assign(fields, withUtm(fields.url ?? before.url, { ...keptUtm(fields.url, before), ...fields }));
    }
    assertTestWindow({ ...before, ...fields });
    const at = this.clock.now();
    if (fields.domain !== undefined && fields.domain !== before.domain) {
      await this.assertDomainOf(principal, fields.domain, at);
    }
    try {
      const after = await this.store.update(
        principal.workspaceId,
        before.id,
        fields,
        at,
        (updated) => this.events.linkChanged("link.updated", updated, at),
        relations,
      );
      if (!after) throw notFound("Link not found.");
      this.announcer.announce({ type: "link.changed", change: "updated" });
      await this.cache.invalidate(before.domain, before.key);
      if (after.domain !== before.domain || after.key !== before.key) {
        await this.cache.invalidate(after.domain, after.key);
      }
      return after;
    } catch (error) {
      throw this.translate(error, { ...before, ...fields });
    }
  }

  /** Dub's upsert: the link with the same destination URL is updated, otherwise a new one is created. */
  async upsert(principal: Principal, input: NewLinkInput): Promise<Link> {
    const existing = await this.store.findByUrl(principal.workspaceId, withUtm(input.url, input).url);
    if (!existing) return this.create(principal, input);
    const { keyPrefix: _prefix, keyLength: _length, ...update } = input;
    const { tags: selection, webhookIds, ...fields } = update;
    const changed =
      Object.entries(fields).some(
        ([field, value]) => value !== undefined && !sameValue(existing[field as keyof Link], value),
      ) ||
      (selection !== undefined && !sameTags(existing.tags, await this.tagsOf(principal, selection))) ||
      (webhookIds !== undefined && !sameValue(existing.webhookIds, [...new Set(webhookIds)].sort()));
    return changed ? this.update(principal, existing.id, update) : existing;
  }

  async delete(principal: Principal, linkId: string): Promise<{ id: string }> {
    const link = await this.allowed(principal, await this.find(principal, linkId), "links.write");
    if (isRootLinkId(link.id)) throw forbidden(ROOT_LINK_UNDELETABLE);
    await this.store.delete(
      principal.workspaceId,
      link.id,
      this.events.linkChanged("link.deleted", link, this.clock.now()),
    );
    this.announcer.announce({ type: "link.changed", change: "deleted" });
    await this.cache.invalidate(link.domain, link.key);
    return { id: link.id };
  }

  /** The link a visitor's request names: its own host first, else the default domain for unknown hosts. */
  async resolve(host: string, requested: string): Promise<Link | null> {
    const domain = normaliseDomain(host);
    const key = canonicalKey(requested);
    const cached = this.cache.get(domain, key);
    if (cached !== undefined) return cached;
    let link = await this.store.findByDomainKey(domain, key);
    if (!link && domain !== this.defaultDomain && !(await this.domains.isKnown(domain))) {
      link = await this.store.findByDomainKey(this.defaultDomain, key);
    }
    this.cache.set(domain, key, link);
    return link;
  }

  /**
   * The checked fields, tags and webhook subscriptions of an update of the links `targets`, before UTM fields are
   * written into each link's URL; a folder is looked up unless the one link updated is in it already.
   */
  async changes(
    principal: Principal,
    input: LinkInput,
    targets: Pick<Link, "id" | "folderId">[],
  ): Promise<{ fields: Partial<LinkFields> } & LinkRelations> {
    const { tags: selection, webhookIds: wanted, ...rest } = input;
    const fields = this.normalise(rest);
    const tags = selection ? await this.tagsOf(principal, selection) : undefined;
    const { folderId } = fields;
    const alreadyThere = targets.length === 1 && targets[0].folderId === folderId;
    if (folderId && !alreadyThere) await this.gate.check(principal, folderId, "links.write");
    if (wanted === undefined) return { fields, tags };
    assertWebhookSubscriptions(
      await this.webhooks.list(principal.workspaceId),
      targets.map((link) => link.id),
      wanted,
    );
    return { fields, tags, webhookIds: [...new Set(wanted)] };
  }

  /** The workspace's tags a link names, by id or by name; any it does not have is Dub's 422. */
  private async tagsOf(principal: Principal, selection: TagSelection): Promise<LinkTag[]> {
    const tags = (
      "ids" in selection
        ? await this.tags.findByIds(principal.workspaceId, [...new Set(selection.ids)])
        : await this.tags.findByNames(principal.workspaceId, selection.names)
    ).map(({ id, name, color }) => ({ id, name, color }));
    const missing =
      "ids" in selection
        ? selection.ids.filter((id) => !tags.some((tag) => tag.id === id))
        : selection.names.filter((name) => !tags.some((tag) => nameKey(tag.name) === nameKey(name)));
    if (missing.length > 0) {
      const named = "ids" in selection ? "tagIds" : "tagNames";
      throw unprocessable(`Invalid ${named} detected: ${[...new Set(missing)].join(", ")}`);
    }
    return inGivenOrder(tags, selection);
  }

  /** The default domain is everyone's; a custom one belongs to the workspace that first added it or a link on it. */
  private async assertDomainOf(principal: Principal, domain: string, at: number): Promise<void> {
    if (domain === this.defaultDomain) return;
    const owner = await this.domains.claim(newDomain(principal.workspaceId, domain, at));
    if (owner !== principal.workspaceId) {
      throw forbidden(DOMAIN_NOT_OURS);
    }
  }

  private async assertDomainUsable(principal: Principal, domain: string): Promise<void> {
    if (domain === this.defaultDomain || (await this.domains.find(principal.workspaceId, domain))) return;
    if (!(await this.domains.claimable(principal.workspaceId, domain))) {
      throw forbidden(DOMAIN_NOT_OURS);
    }
  }

  /** Whether a stored link already has `link`'s key (when given) on its domain, or its externalId in the workspace. */
  async clashOf(link: Link, keyGiven: boolean): Promise<DomainError | null> {
    if (keyGiven && (await this.store.findByDomainKey(link.domain, link.key))) return duplicateKey(link);
    if (link.externalId !== null && (await this.store.findByExternalId(link.workspaceId, link.externalId)))
      return duplicateExternalId(link);
    return null;
  }

  private normalise(input: Partial<LinkFields>): Partial<LinkFields> {
    const fields: Partial<LinkFields> = {};
    for (const [name, value] of Object.entries(input)) {
      if (value !== undefined) (fields as Record<string, unknown>)[name] = value;
    }
    if (fields.domain !== undefined) fields.domain = normaliseDomain(fields.domain);
    if (fields.externalId) fields.externalId = normaliseExternalId(fields.externalId);
    if (fields.key !== undefined) fields.key = canonicalKey(fields.key);
    if (fields.key !== undefined && isReservedKey(fields.key)) {
      throw unprocessable(
        `invalid_value: key: "${fields.key}" is reserved by the server; choose another key`,
      );
    }
    return fields;
  }

  /** A store's refusal as the caller's error: a duplicate key or externalId, a folder or tag gone meanwhile. */
  translate(error: unknown, link: Pick<Link, "domain" | "key" | "externalId">): unknown {
    if (error instanceof MissingReference) {
      return error.target === "folder"
        ? notFound("Folder not found.")
        : unprocessable("Invalid tagIds detected: a tag was deleted while the link was saved");
    }
    if (!(error instanceof UniqueViolation)) return error;
    return error.target === "external_id" ? duplicateExternalId(link) : duplicateKey(link);
  }
}

/** Dub's answer to a link on a domain another workspace has. */
export const DOMAIN_NOT_OURS = "Domain does not belong to workspace.";

export const duplicateKey = (link: Pick<Link, "domain" | "key">) =>
  conflict(`Duplicate key: the key "${link.key}" is already in use on the domain ${link.domain}.`);

export const duplicateExternalId = (link: Pick<Link, "externalId">) =>
  conflict(`A link with the externalId "${link.externalId}" already exists in this workspace.`);

export const normaliseDomain = (domain: string) => domain.trim().toLowerCase();

/** Field values are scalars, or the plain JSON of `geo` and `testVariants`. */
const sameValue = (a: unknown, b: unknown) =>
  a === b || (typeof a === "object" && typeof b === "object" && JSON.stringify(a) === JSON.stringify(b));

export function assertTestWindow({ testStartedAt, testCompletedAt }: Partial<LinkFields>): void {
  if (testStartedAt != null && testCompletedAt != null && testCompletedAt <= testStartedAt) {
    throw unprocessable("invalid_value: testCompletedAt: must be after testStartedAt");
  }
}

const sameTags = (a: LinkTag[], b: LinkTag[]) =>
  a.length === b.length && a.every((tag, i) => tag.id === b[i].id);

/** The tags in the order the selection names them (Dub's; its first is the link's `tagId`), each once. */
function inGivenOrder(tags: LinkTag[], selection: TagSelection): LinkTag[] {
  const named =
    "ids" in selection
      ? selection.ids.map((id) => tags.find((tag) => tag.id === id))
      : selection.names.map((name) => tags.find((tag) => nameKey(tag.name) === nameKey(name)));
  return [...new Set(named)].filter((tag): tag is LinkTag => tag !== undefined);
}
