import { type Insertable, type Kysely, type Selectable, sql, type Updateable } from "kysely";
import type { Link, LinkFields, LinkFilter } from "../../domain/links/model.js";
import type { LinkStore } from "../../domain/links/ports.js";
import type { OutboxEvent } from "../../domain/webhooks/model.js";
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
  title: "title",
  description: "description",
  image: "image",
  comments: "comments",
  utmSource: "utm_source",
  utmMedium: "utm_medium",
  utmCampaign: "utm_campaign",
  utmTerm: "utm_term",
  utmContent: "utm_content",
};

const SORT_COLUMNS = {
  createdAt: "created_at",
  clicks: "clicks",
  saleAmount: "sale_amount",
  lastClicked: "last_clicked",
} as const;

export class SqlLinkStore implements LinkStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(link: Link, event: OutboxEvent): Promise<void> {
    try {
      await transact(this.db, async (trx) => {
        await trx
          .insertInto("links")
          .values({
            ...toColumns(link),
            id: link.id,
            workspace_id: link.workspaceId,
            disabled_at: link.disabledAt,
            created_at: link.createdAt,
            updated_at: link.updatedAt,
          } as Insertable<LinkRow>)
          .execute();
        await enqueueOutbox(trx, [event]);
      });
    } catch (error) {
      throw asUniqueViolation(error, UNIQUE_TARGETS);
    }
  }

  async update(
    workspaceId: string,
    id: string,
    fields: Partial<LinkFields>,
    updatedAt: number,
    event: (updated: Link) => OutboxEvent,
  ): Promise<Link | null> {
    try {
      return await transact(this.db, async (trx) => {
        const row = await trx
          .updateTable("links")
          .set({ ...toColumns(fields), updated_at: updatedAt })
          .where("workspace_id", "=", workspaceId)
          .where("id", "=", id)
          .returningAll()
          .executeTakeFirst();
        if (!row) return null;
        const link = toLink(row);
        await enqueueOutbox(trx, [event(link)]);
        return link;
      });
    } catch (error) {
      throw asUniqueViolation(error, UNIQUE_TARGETS);
    }
  }

  async delete(workspaceId: string, id: string, event: OutboxEvent): Promise<boolean> {
    return transact(this.db, async (trx) => {
      const result = await trx
        .deleteFrom("links")
        .where("workspace_id", "=", workspaceId)
        .where("id", "=", id)
        .executeTakeFirst();
      const deleted = Number(result.numDeletedRows) > 0;
      if (deleted) await enqueueOutbox(trx, [event]);
      return deleted;
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
    return rows.map(toLink);
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

  async list(workspaceId: string, filter: LinkFilter): Promise<Link[]> {
    let query = this.db.selectFrom("links").selectAll().where("workspace_id", "=", workspaceId);
    if (filter.domain) query = query.where("domain", "=", filter.domain);
    if (filter.tenantId) query = query.where("tenant_id", "=", filter.tenantId);
    if (filter.externalId) query = query.where("external_id", "=", filter.externalId);
    if (!filter.showArchived) query = query.where("archived", "=", 0);
    if (filter.search) {
      const pattern = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) =>
        eb.or([
          eb(eb.fn("lower", ["url"]), "like", sql<string>`lower(${pattern}) escape '\\'`),
          eb(eb.fn("lower", ["key"]), "like", sql<string>`lower(${pattern}) escape '\\'`),
        ]),
      );
    }
    const rows = await query
      .orderBy(SORT_COLUMNS[filter.sortBy], filter.sortOrder)
      .orderBy("id", filter.sortOrder)
      .limit(filter.pageSize)
      .offset((filter.page - 1) * filter.pageSize)
      .execute();
    return rows.map(toLink);
  }

  private async first(query: {
    executeTakeFirst(): Promise<Selectable<LinkRow> | undefined>;
  }): Promise<Link | null> {
    const row = await query.executeTakeFirst();
    return row ? toLink(row) : null;
  }
}

function toColumns(fields: Partial<LinkFields>): Updateable<LinkRow> {
  const row: Record<string, unknown> = {};
  for (const [name, column] of Object.entries(COLUMNS)) {
    const value = fields[name as keyof LinkFields];
    if (value === undefined) continue;
    row[column] = typeof value === "boolean" ? Number(value) : value;
  }
  return row as Updateable<LinkRow>;
}

const nullableNumber = (value: number | string | null) => (value === null ? null : Number(value));

export function toLink(row: Selectable<LinkRow>): Link {
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
