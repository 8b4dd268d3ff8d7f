import { type Kysely, sql } from "kysely";
import type { DomainStore } from "../../domain/links/ports.js";
import type { Database } from "./schema.js";

export class SqlDomainStore implements DomainStore {
  constructor(private readonly db: Kysely<Database>) {}

  async claim(workspaceId: string, domain: string, at: number): Promise<string | null> {
    const owner = await this.owner(domain);
    if (owner !== null) return owner;
    // One statement: the check for other workspaces' links and the insert cannot be separated by a claim.
    await sql`
      INSERT INTO domains (slug, workspace_id, created_at)
      SELECT ${domain}, ${workspaceId}, ${at}
      WHERE NOT EXISTS (
        SELECT 1 FROM links WHERE domain = ${domain} AND workspace_id <> ${workspaceId}
      )
      ON CONFLICT (slug) DO NOTHING`.execute(this.db);
    return this.owner(domain);
  }

  async isKnown(domain: string): Promise<boolean> {
    if ((await this.owner(domain)) !== null) return true;
    const link = await this.db
      .selectFrom("links")
      .select("id")
      .where("domain", "=", domain)
      .limit(1)
      .executeTakeFirst();
    return link !== undefined;
  }

  private async owner(domain: string): Promise<string | null> {
    const row = await this.db
      .selectFrom("domains")
      .select("workspace_id")
      .where("slug", "=", domain)
      .executeTakeFirst();
    return row?.workspace_id ?? null;
  }
}
