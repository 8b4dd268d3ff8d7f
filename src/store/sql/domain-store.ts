import { type Kysely, type Selectable, sql, type Updateable } from "kysely";
import type { Domain, DomainFallbacks, DomainFields, DomainFilter } from "../../domain/domains/model.js";
import type { DomainStore } from "../../domain/domains/ports.js";
import { UniqueViolation } from "../../domain/errors.js";
import type { Link } from "../../domain/links/model.js";
import type { OutboxEvent } from "../../domain/webhooks/model.js";
import { containing } from "./like.js";
import { withRelations } from "./link-store.js";
import { enqueueOutbox } from "./outbox.js";
import type { Database, DomainRow } from "./schema.js";
import { transact } from "./transact.js";
import { asUniqueViolation } from "./unique-violation.js";

const COLUMNS: Record<keyof DomainFields, keyof DomainRow> = {
  slug: "slug",
  placeholder: "placeholder",
  expiredUrl: "expired_url",
  notFoundUrl: "not_found_url",
  logo: "logo",
  archived: "archived",
};

export class SqlDomainStore implements DomainStore {
  constructor(private readonly db: Kysely<Database>) {}

  async claim(domain: Domain): Promise<string | null> {
    const owner = await this.owner(domain.slug);
    if (owner !== null) return owner;
    // One statement: the check for other workspaces' links and the insert cannot be separated by a claim.
    await sql`
      INSERT INTO domains
        (id, slug, workspace_id, placeholder, expired_url, not_found_url, logo, archived, created_at, updated_at)
      SELECT ${domain.id}, ${domain.slug}, ${domain.workspaceId}, ${domain.placeholder}, ${domain.expiredUrl},
             ${domain.notFoundUrl}, ${domain.logo}, CAST(${Number(domain.archived)} AS SMALLINT),
             CAST(${domain.createdAt} AS BIGINT), CAST(${domain.updatedAt} AS BIGINT)
      WHERE NOT EXISTS (
        SELECT 1 FROM links WHERE domain = ${domain.slug} AND workspace_id <> ${domain.workspaceId}
      )
      ON CONFLICT (slug) DO NOTHING`.execute(this.db);
    return this.owner(domain.slug);
  }

  async claimable(workspaceId: string, slug: string): Promise<boolean> {
    if ((await this.owner(slug)) !== null) return false;
    const otherLink = await this.db
      .selectFrom("links")
      .select("id")
      .where("domain", "=", slug)
      .where("workspace_id", "<>", workspaceId)
      .limit(1)
      .executeTakeFirst();
    return otherLink === undefined;
  }

  async isKnown(slug: string): Promise<boolean> {
    if ((await this.owner(slug)) !== null) return true;
    const link = await this.db
      .selectFrom("links")
      .select("id")
      .where("domain", "=", slug)
      .limit(1)
      .executeTakeFirst();
    return link !== undefined;
  }

  async find(workspaceId: string, slug: string): Promise<Domain | null> {
    const row = await this.db
      .selectFrom("domains")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("slug", "=", slug)
      .executeTakeFirst();
    return row ? toDomain(row) : null;
  }

  async findById(workspaceId: string, id: string): Promise<Domain | null> {
    const row = await this.db
      .selectFrom("domains")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .executeTakeFirst();
    return row ? toDomain(row) : null;
  }

  async list(workspaceId: string, filter: DomainFilter): Promise<Domain[]> {
    let query = this.db
      .selectFrom("domains")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("archived", "=", Number(filter.archived));
    if (filter.search) {
      query = query.where("slug", "like", containing(filter.search));
    }
    const rows = await query
      .orderBy("created_at")
      .orderBy("slug")
      .limit(filter.pageSize)
      .offset((filter.page - 1) * filter.pageSize)
      .execute();
    return rows.map(toDomain);
  }

  async countLinks(workspaceId: string, slug: string): Promise<number> {
    const row = await this.db
      .selectFrom("links")
      .select((eb) => eb.fn.countAll<number | string>().as("count"))
      .where("workspace_id", "=", workspaceId)
      .where("domain", "=", slug)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async update(
    workspaceId: string,
    slug: string,
    fields: Partial<Omit<DomainFields, "slug">>,
    at: number,
  ): Promise<Domain | null> {
    const row = await this.db
      .updateTable("domains")
      .set({ ...toColumns(fields), updated_at: at })
      .where("workspace_id", "=", workspaceId)
      .where("slug", "=", slug)
      .returningAll()
      .executeTakeFirst();
    return row ? toDomain(row) : null;
  }

  rename(
    workspaceId: string,
    slug: string,
    fields: Partial<DomainFields> & { slug: string },
    at: number,
    event: (moved: Link) => OutboxEvent,
  ): Promise<{ domain: Domain; moved: Link[] } | null> {
    return transact(this.db, async (trx) => {
      // Links on the new slug, of any workspace, would collide with the moved ones or belong to someone else.
      const inUse = await trx
        .selectFrom("links")
        .select("id")
        .where("domain", "=", fields.slug)
        .limit(1)
        .executeTakeFirst();
      if (inUse) throw new UniqueViolation("slug");
      const row = await trx
        .updateTable("domains")
        .set({ ...toColumns(fields), updated_at: at })
        .where("workspace_id", "=", workspaceId)
        .where("slug", "=", slug)
        .returningAll()
        .executeTakeFirst()
        .catch((error: unknown) => {
          throw asUniqueViolation(error, { slug: ["domains"] });
        });
      if (!row) return null;
      const moved = await withRelations(
        trx,
        await trx
          .updateTable("links")
          .set({ domain: fields.slug, updated_at: at })
          .where("workspace_id", "=", workspaceId)
          .where("domain", "=", slug)
          .returningAll()
          .execute(),
      );
      await enqueueOutbox(trx, moved.map(event));
      return { domain: toDomain(row), moved };
    });
  }

  deleteSome(
    workspaceId: string,
    slug: string,
    limit: number,
    event: (deleted: Link) => OutboxEvent,
  ): Promise<{ deleted: Link[]; removed: boolean }> {
    return transact(this.db, async (trx) => {
      // Read with their tags first: deleting a link deletes its tag pairs, and its link.deleted event shows them.
      const deleted = await withRelations(
        trx,
        await trx
          .selectFrom("links")
          .selectAll()
          .where("workspace_id", "=", workspaceId)
          .where("domain", "=", slug)
          .limit(limit)
          .execute(),
      );
      if (deleted.length > 0) {
        await trx
          .deleteFrom("links")
          .where("workspace_id", "=", workspaceId)
          .where(
            "id",
            "in",
            deleted.map((link) => link.id),
          )
          .execute();
      }
      await enqueueOutbox(trx, deleted.map(event));
      const removed = deleted.length < limit;
      if (removed) {
        await trx
          .deleteFrom("domains")
          .where("workspace_id", "=", workspaceId)
          .where("slug", "=", slug)
          .execute();
      }
      return { deleted, removed };
    });
  }

  async fallbacksOf(slug: string): Promise<DomainFallbacks | null> {
    const row = await this.db
      .selectFrom("domains")
      .select(["placeholder", "expired_url", "not_found_url"])
      .where("slug", "=", slug)
      .executeTakeFirst();
    if (!row) return null;
    return { placeholder: row.placeholder, expiredUrl: row.expired_url, notFoundUrl: row.not_found_url };
  }

  private async owner(slug: string): Promise<string | null> {
    const row = await this.db
      .selectFrom("domains")
      .select("workspace_id")
      .where("slug", "=", slug)
      .executeTakeFirst();
    return row?.workspace_id ?? null;
  }
}

function toColumns(fields: Partial<DomainFields>): Updateable<DomainRow> {
  const row: Record<string, unknown> = {};
  for (const [name, column] of Object.entries(COLUMNS)) {
    const value = fields[name as keyof DomainFields];
    if (value === undefined) continue;
    row[column] = typeof value === "boolean" ? Number(value) : value;
  }
  return row as Updateable<DomainRow>;
}

function toDomain(row: Selectable<DomainRow>): Domain {
  const createdAt = Number(row.created_at);
  return {
    id: row.id,
    slug: row.slug,
    workspaceId: row.workspace_id,
    placeholder: row.placeholder,
    expiredUrl: row.expired_url,
    notFoundUrl: row.not_found_url,
    logo: row.logo,
    archived: Boolean(row.archived),
    createdAt,
    updatedAt: row.updated_at === null ? createdAt : Number(row.updated_at),
  };
}
