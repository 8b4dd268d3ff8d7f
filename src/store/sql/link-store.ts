import {
  type Insertable,
  type Kysely,
  type RawBuilder,
  type Selectable,
  type SqlBool,
  sql,
  type Updateable,
} from "kysely";
import { MissingReference } from "../../domain/errors.js";
import type {
  Link,
  LinkConditions,
  LinkFields,
  LinkFilter,
  LinkGroupCount,
  LinkPageStart,
  LinkWalkFilter,
} from "../../domain/links/model.js";
import type { LinkRelations, LinkStore } from "../../domain/links/ports.js";
import { nameKey } from "../../domain/names.js";
import { byName, type LinkTag, type TagColor } from "../../domain/tags/model.js";
import type { OutboxEvent } from "../../domain/webhooks/model.js";
import { ownFolders } from "./folder-store.js";
import { enqueueOutbox } from "./outbox.js";
import type { Database, LinkRow } from "./schema.js";
import { transact } from "./transact.js";
import { asUniqueViolation } from "./unique-violation.js";

const UNIQUE_TARGETS = { domain_key: ["domain", "key"], external_id: ["external_id"] };

const COLUMNS: Record<keyof LinkFields, keyof LinkRow> = {
  url: "url",
  domain: "domain",
  key: "key",
  externalId: "external_id",
  tenantId: "tenant_id",
  trackConversion: "track_conversion",
  archived: "archived",
  expiresAt: "expires_at",
  expiredUrl: "expired_url",
  disabledAt: "disabled_at",
  title: "title",
  description: "description",
  image: "image",
  comments: "comments",
  utmSource: "utm_source",
  utmMedium: "utm_medium",
  utmCampaign: "utm_campaign",
  utmTerm: "utm_term",
  utmContent: "utm_content",
  password: "password",
  proxy: "proxy",
  rewrite: "rewrite",
  doIndex: "do_index",
  ios: "ios",
  android: "android",
  geo: "geo",
  testVariants: "test_variants",
  testStartedAt: "test_started_at",
  testCompletedAt: "test_completed_at",
  folderId: "folder_id",
};

type SortKey = { expression: RawBuilder<number>; of: (link: Link) => number };

/** Links never clicked sort as the smallest `lastClicked` on every store: first ascending, last descending. */
const SORT_KEYS: Record<LinkFilter["sortBy"], SortKey> = {
  createdAt: { expression: sql`created_at`, of: (link) => link.createdAt },
  clicks: { expression: sql`clicks`, of: (link) => link.clicks },
  saleAmount: { expression: sql`sale_amount`, of: (link) => link.saleAmount },
  leads: { expression: sql`leads`, of: (link) => link.leads },
  sales: { expression: sql`sales`, of: (link) => link.sales },
  lastClicked: { expression: sql`coalesce(last_clicked, -1)`, of: (link) => link.lastClicked ?? -1 },
};

export class SqlLinkStore implements LinkStore {
  constructor(private readonly db: Kysely<Database>) {}

  insert(link: Link, event: OutboxEvent): Promise<void> {
    return this.insertMany([link], [event]);
  }

  async insertMany(links: Link[], events: OutboxEvent[]): Promise<void> {
    if (links.length === 0) return;
    try {
      await transact(this.db, async (trx) => {
        for (const [workspaceId, folderId] of distinctFolders(links))
          await holdFolder(trx, workspaceId, folderId);
        await trx
          .insertInto("links")
          .values(
            links.map(
              (link) =>
                ({
                  ...toColumns(link),
                  id: link.id,
                  workspace_id: link.workspaceId,
                  user_id: link.userId,
                  created_at: link.createdAt,
                  updated_at: link.updatedAt,
                }) as Insertable<LinkRow>,
            ),
          )
          .execute();
        await attachTags(trx, links);
        await subscribeWebhooks(trx, links);
        await enqueueOutbox(trx, events);
      });
    } catch (error) {
      throw asWriteError(error);
    }
  }

  async update(
    workspaceId: string,
    id: string,
    fields: Partial<LinkFields>,
    updatedAt: number,
    event: (updated: Link) => OutboxEvent,
    relations: LinkRelations = {},
  ): Promise<Link | null> {
    const [updated] = await this.updateMany(workspaceId, [{ id, fields }], updatedAt, event, relations);
    return updated ?? null;
  }

  async updateMany(
    workspaceId: string,
    changes: { id: string; fields: Partial<LinkFields> }[],
    updatedAt: number,
    event: (updated: Link) => OutboxEvent,
    { tags, webhookIds }: LinkRelations = {},
  ): Promise<Link[]> {
    if (changes.length === 0) return [];
    try {
      return await transact(this.db, async (trx) => {
        const folders = new Set(changes.map(({ fields }) => fields.folderId).filter(Boolean) as string[]);
        for (const folderId of folders) await holdFolder(trx, workspaceId, folderId);
        const updated: Link[] = [];
        for (const { id, fields } of changes) {
          const row = await trx
            .updateTable("links")
            .set({ ...toColumns(fields), updated_at: updatedAt })
            .where("workspace_id", "=", workspaceId)
            .where("id", "=", id)
            .returningAll()
            .executeTakeFirst();
          if (!row) continue;
          if (tags) {
            await trx
              .deleteFrom("link_tags")
              .where("workspace_id", "=", workspaceId)
              .where("link_id", "=", id)
              .execute();
            await attachTags(trx, [{ workspaceId, id, tags, createdAt: updatedAt }]);
          }
          if (webhookIds) {
            await trx
              .deleteFrom("webhook_links")
              .where("workspace_id", "=", workspaceId)
              .where("link_id", "=", id)
              .execute();
            await subscribeWebhooks(trx, [{ workspaceId, id, webhookIds }]);
          }
          updated.push((await withRelations(trx, [row]))[0]);
        }
        await enqueueOutbox(trx, updated.map(event));
        return updated;
      });
    } catch (error) {
      throw asWriteError(error);
    }
  }

  async delete(workspaceId: string, id: string, event: OutboxEvent): Promise<boolean> {
    return (await this.deleteMany(workspaceId, [id], () => event)).length > 0;
  }

  async deleteMany(
    workspaceId: string,
    ids: string[],
    event: (deleted: Link) => OutboxEvent,
  ): Promise<Link[]> {
    if (ids.length === 0) return [];
    return transact(this.db, async (trx) => {
      const found = await trx
        .selectFrom("links")
        .selectAll()
        .where("workspace_id", "=", workspaceId)
        .where("id", "in", ids)
        .execute();
      const links = await withRelations(trx, found);
      if (links.length === 0) return [];
      const deleted = await trx
        .deleteFrom("links")
        .where("workspace_id", "=", workspaceId)
        .where(
          "id",
          "in",
          links.map((link) => link.id),
        )
        .returning("id")
        .execute();
      const gone = links.filter((link) => deleted.some((row) => row.id === link.id));
      await enqueueOutbox(trx, gone.map(event));
      return gone;
    });
  }

  findById(workspaceId: string, id: string): Promise<Link | null> {
    return this.first(
      this.db.selectFrom("links").selectAll().where("workspace_id", "=", workspaceId).where("id", "=", id),
    );
  }

  async findByIds(workspaceId: string, ids: string[]): Promise<Link[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom("links")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("id", "in", ids)
      .execute();
    return withRelations(this.db, rows);
  }

  async findByExternalIds(workspaceId: string, externalIds: string[]): Promise<Link[]> {
    if (externalIds.length === 0) return [];
    const rows = await this.db
      .selectFrom("links")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("external_id", "in", externalIds)
      .execute();
    return withRelations(this.db, rows);
  }

  findByExternalId(workspaceId: string, externalId: string): Promise<Link | null> {
    return this.first(
      this.db
        .selectFrom("links")
        .selectAll()
        .where("workspace_id", "=", workspaceId)
        .where("external_id", "=", externalId),
    );
  }

  findByUrl(workspaceId: string, url: string): Promise<Link | null> {
    return this.first(
      this.db
        .selectFrom("links")
        .selectAll()
        .where("workspace_id", "=", workspaceId)
        .where("url", "=", url)
        .orderBy("created_at"),
    );
  }

  findByDomainKey(domain: string, key: string): Promise<Link | null> {
    return this.first(
      this.db.selectFrom("links").selectAll().where("domain", "=", domain).where("key", "=", key),
    );
  }

  /** A cursor page is the `pageSize` links next to the cursor's link, in the listing's order (keyset). */
  async list(workspaceId: string, filter: LinkFilter, from: LinkPageStart): Promise<Link[]> {
    const key = SORT_KEYS[filter.sortBy];
    const backwards = "before" in from;
    const direction = backwards === (filter.sortOrder === "asc") ? "desc" : "asc";
    let query = matching(this.db, workspaceId, filter).selectAll();
    if ("offset" in from) query = query.offset(from.offset);
    else {
      const cursor = "after" in from ? from.after : from.before;
      const comparison = sql.raw(direction === "asc" ? ">" : "<");
      query = query.where(
        sql<SqlBool>`(${key.expression}, id) ${comparison} (${key.of(cursor)}, ${cursor.id})`,
      );
    }
    const rows = await query
      .orderBy(key.expression, direction)
      .orderBy("id", direction)
      .limit(filter.pageSize)
      .execute();
    return withRelations(this.db, backwards ? rows.reverse() : rows);
  }

  async listAfter(
    workspaceId: string,
    filter: LinkWalkFilter,
    afterId: string | null,
    limit: number,
  ): Promise<Link[]> {
    let query = matching(this.db, workspaceId, { ...filter, showArchived: true }).selectAll();
    if (filter.archived !== undefined) query = query.where("archived", "=", Number(filter.archived));
    if (afterId !== null) query = query.where("id", ">", afterId);
    return withRelations(this.db, await query.orderBy("id").limit(limit).execute());
  }

  async count(workspaceId: string, conditions: LinkConditions): Promise<number> {
    const row = await matching(this.db, workspaceId, conditions)
      .select((eb) => eb.fn.countAll().as("count"))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async countBy(
    workspaceId: string,
    conditions: LinkConditions,
    group: "domain" | "tagId" | "folderId" | "userId",
  ): Promise<LinkGroupCount[]> {
    const links = matching(this.db, workspaceId, conditions);
    const column = group === "domain" ? "domain" : group === "userId" ? "user_id" : "folder_id";
    const rows =
      group === "tagId"
        ? await this.db
            .selectFrom("link_tags")
            .select(["link_tags.tag_id as value", (eb) => eb.fn.countAll().as("count")])
            .where("link_tags.workspace_id", "=", workspaceId)
            .where("link_tags.link_id", "in", links.select("id"))
            .groupBy("link_tags.tag_id")
            .execute()
        : await links
            .select([`${column} as value`, (eb) => eb.fn.countAll().as("count")])
            .groupBy(column)
            .execute();
    return rows
      .map((row) => ({ value: row.value as string | null, count: Number(row.count) }))
      .sort((a, b) => b.count - a.count || String(a.value ?? "").localeCompare(String(b.value ?? "")));
  }

  private async first(query: {
    executeTakeFirst(): Promise<Selectable<LinkRow> | undefined>;
  }): Promise<Link | null> {
    const row = await query.executeTakeFirst();
    return row ? (await withRelations(this.db, [row]))[0] : null;
  }
}

/**
 * Locks the folder a link is written into until the write commits (or finds it gone): deleting a folder takes
 * the row first and then moves its links out, so no link can land in a folder that is being deleted.
 */
async function holdFolder(db: Kysely<Database>, workspaceId: string, folderId: string): Promise<void> {
  const result = await db
    .updateTable("folders")
    .set((eb) => ({ updated_at: eb.ref("updated_at") }))
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", folderId)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new MissingReference("folder");
}

async function attachTags(
  db: Kysely<Database>,
  links: Pick<Link, "workspaceId" | "id" | "tags" | "createdAt">[],
): Promise<void> {
  const rows = links.flatMap((link) =>
    link.tags.map((tag, position) => ({
      workspace_id: link.workspaceId,
      link_id: link.id,
      tag_id: tag.id,
      created_at: link.createdAt,
      position,
    })),
  );
  if (rows.length > 0) await db.insertInto("link_tags").values(rows).execute();
}

/** Each link's `webhookIds` become rows of those webhooks' `linkIds`. */
async function subscribeWebhooks(
  db: Kysely<Database>,
  links: Pick<Link, "workspaceId" | "id" | "webhookIds">[],
): Promise<void> {
  const rows = links.flatMap((link) =>
    [...new Set(link.webhookIds)].map((webhookId) => ({
      workspace_id: link.workspaceId,
      webhook_id: webhookId,
      link_id: link.id,
    })),
  );
  if (rows.length > 0) await db.insertInto("webhook_links").values(rows).execute();
}

function distinctFolders(links: Link[]): [string, string][] {
  const pairs = new Map<string, [string, string]>();
  for (const { workspaceId, folderId } of links)
    if (folderId) pairs.set(`${workspaceId}\u0000${folderId}`, [workspaceId, folderId]);
  return [...pairs.values()];
}

/**
 * The links of `rows`, each with its tags and the webhooks that name it (two queries per workspace, whatever the
 * number of links).
 */
export async function withRelations(db: Kysely<Database>, rows: Selectable<LinkRow>[]): Promise<Link[]> {
  if (rows.length === 0) return [];
  const tagsByLink = new Map<string, LinkTag[]>();
  const webhooksByLink = new Map<string, string[]>();
  for (const workspaceId of new Set(rows.map((row) => row.workspace_id))) {
    const ids = rows.filter((row) => row.workspace_id === workspaceId).map((row) => row.id);
    const pairs = await db
      .selectFrom("link_tags")
      .innerJoin("tags", (join) =>
        join
          .onRef("tags.workspace_id", "=", "link_tags.workspace_id")
          .onRef("tags.id", "=", "link_tags.tag_id"),
      )
      .select(["link_tags.link_id", "link_tags.position", "tags.id", "tags.name", "tags.color"])
      .where("link_tags.workspace_id", "=", workspaceId)
      .where("link_tags.link_id", "in", ids)
      .execute();
    const placed = pairs.map(({ link_id, position, id, name, color }) => ({
      link_id,
      position,
      tag: { id, name, color: color as TagColor },
    }));
    placed.sort((a, b) => a.position - b.position || byName(a.tag, b.tag));
    for (const { link_id, tag } of placed) tagsByLink.set(link_id, [...(tagsByLink.get(link_id) ?? []), tag]);
    const subscriptions = await db
      .selectFrom("webhook_links")
      .select(["link_id", "webhook_id"])
      .where("workspace_id", "=", workspaceId)
      .where("link_id", "in", ids)
      .orderBy("webhook_id")
      .execute();
    for (const { link_id, webhook_id } of subscriptions) {
      webhooksByLink.set(link_id, [...(webhooksByLink.get(link_id) ?? []), webhook_id]);
    }
  }
  return rows.map((row) => toLink(row, tagsByLink.get(row.id) ?? [], webhooksByLink.get(row.id) ?? []));
}

/** A unique rule broken, or a tag deleted between the check and the write (its foreign key). */
function asWriteError(error: unknown): unknown {
  const code = (error as { code?: string })?.code;
  if (code === "SQLITE_CONSTRAINT_FOREIGNKEY" || code === "23503") return new MissingReference("tag");
  return asUniqueViolation(error, UNIQUE_TARGETS);
}

function toColumns(fields: Partial<LinkFields>): Updateable<LinkRow> {
  const row: Record<string, unknown> = {};
  for (const [name, column] of Object.entries(COLUMNS)) {
    const value = fields[name as keyof LinkFields];
    if (value === undefined) continue;
    row[column] =
      typeof value === "boolean"
        ? Number(value)
        : value !== null && typeof value === "object"
          ? JSON.stringify(value)
          : value;
  }
  return row as Updateable<LinkRow>;
}

const nullableNumber = (value: number | string | null) => (value === null ? null : Number(value));

export function toLink(row: Selectable<LinkRow>, tags: LinkTag[], webhookIds: string[]): Link {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    domain: row.domain,
    key: row.key,
    url: row.url,
    externalId: row.external_id,
    tenantId: row.tenant_id,
    trackConversion: Boolean(row.track_conversion),
    archived: Boolean(row.archived),
    expiresAt: nullableNumber(row.expires_at),
    expiredUrl: row.expired_url,
    disabledAt: nullableNumber(row.disabled_at),
    title: row.title,
    description: row.description,
    image: row.image,
    comments: row.comments,
    utmSource: row.utm_source,
    utmMedium: row.utm_medium,
    utmCampaign: row.utm_campaign,
    utmTerm: row.utm_term,
    utmContent: row.utm_content,
    password: row.password,
    proxy: Boolean(row.proxy),
    rewrite: Boolean(row.rewrite),
    doIndex: Boolean(row.do_index),
    ios: row.ios,
    android: row.android,
    geo: row.geo === null ? null : JSON.parse(row.geo),
    testVariants: row.test_variants === null ? null : JSON.parse(row.test_variants),
    testStartedAt: nullableNumber(row.test_started_at),
    testCompletedAt: nullableNumber(row.test_completed_at),
    folderId: row.folder_id,
    userId: row.user_id,
    tags,
    webhookIds,
    clicks: Number(row.clicks),
    leads: Number(row.leads),
    conversions: Number(row.conversions),
    sales: Number(row.sales),
    saleAmount: Number(row.sale_amount),
    lastClicked: nullableNumber(row.last_clicked),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** The workspace's links that meet `conditions`, as a query to select from. */
function matching(db: Kysely<Database>, workspaceId: string, conditions: LinkConditions) {
  let query = db.selectFrom("links").where("workspace_id", "=", workspaceId);
  if (conditions.domain) query = query.where("domain", "=", conditions.domain);
  if (conditions.tenantId) query = query.where("tenant_id", "=", conditions.tenantId);
  if (conditions.externalId) query = query.where("external_id", "=", conditions.externalId);
  if (!conditions.showArchived) query = query.where("archived", "=", 0);
  if (conditions.folderId) query = query.where("folder_id", "=", conditions.folderId);
  const { readableBy } = conditions;
  if (readableBy !== undefined) {
    query = query.where((eb) =>
      eb.or([
        eb("folder_id", "is", null),
        eb(
          "folder_id",
          "in",
          db
            .selectFrom("folders")
            .select("folders.id")
            .where("folders.workspace_id", "=", workspaceId)
            .where("folders.access_level", "is not", null),
        ),
        eb("folder_id", "in", ownFolders(db, workspaceId, readableBy)),
      ]),
    );
  }
  const tagged = db
    .selectFrom("link_tags")
    .select("link_tags.link_id")
    .where("link_tags.workspace_id", "=", workspaceId);
  if (conditions.tagIds?.length) {
    query = query.where("id", "in", tagged.where("link_tags.tag_id", "in", conditions.tagIds));
  } else if (conditions.tagNames?.length) {
    const keys = conditions.tagNames.map(nameKey);
    query = query.where(
      "id",
      "in",
      tagged
        .innerJoin("tags", (join) =>
          join
            .onRef("tags.workspace_id", "=", "link_tags.workspace_id")
            .onRef("tags.id", "=", "link_tags.tag_id"),
        )
        .where("tags.name_key", "in", keys),
    );
  }
  if (conditions.withTags) query = query.where("id", "in", tagged);
  if (conditions.search) {
    const pattern = `%${conditions.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) =>
      eb.or([
        eb(eb.fn("lower", ["url"]), "like", sql<string>`lower(${pattern}) escape '\\'`),
        eb(eb.fn("lower", ["key"]), "like", sql<string>`lower(${pattern}) escape '\\'`),
      ]),
    );
  }
  return query;
}
