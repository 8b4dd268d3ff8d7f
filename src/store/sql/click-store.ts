import { type Kysely, type Selectable, sql } from "kysely";
import type { Click, ClickStore } from "../../domain/clicks/ports.js";
import type { ClickRow, Database } from "./schema.js";

const INSERT_CHUNK = 200;

export class SqlClickStore implements ClickStore {
  constructor(private readonly db: Kysely<Database>) {}

  async recordBatch(clicks: Click[], dedupeWindowMs: number): Promise<string[]> {
    return this.db.transaction().execute(async (trx) => {
      const ids: string[] = [];
      const fresh: Click[] = [];
      const seen = new Map<string, string>();
      for (const click of clicks) {
        const visitor = `${click.linkId}:${click.identityHash}`;
        const earlier =
          seen.get(visitor) ??
          (dedupeWindowMs > 0
            ? (
                await trx
                  .selectFrom("clicks")
                  .select("id")
                  .where("workspace_id", "=", click.workspaceId)
                  .where("link_id", "=", click.linkId)
                  .where("identity_hash", "=", click.identityHash)
                  .where("timestamp", ">", click.timestamp - dedupeWindowMs)
                  .orderBy("timestamp", "desc")
                  .limit(1)
                  .executeTakeFirst()
              )?.id
            : undefined);
        if (earlier) {
          ids.push(earlier);
          continue;
        }
        if (dedupeWindowMs > 0) seen.set(visitor, click.id);
        fresh.push(click);
        ids.push(click.id);
      }
      for (let i = 0; i < fresh.length; i += INSERT_CHUNK) {
        await trx.insertInto("clicks").values(fresh.slice(i, i + INSERT_CHUNK).map(toRow)).execute();
      }
      for (const [linkId, { count, last }] of countPerLink(fresh)) {
        await trx
          .updateTable("links")
          .set((eb) => ({
            clicks: eb("clicks", "+", count),
            last_clicked: sql<number>`case when last_clicked is null or last_clicked < ${last} then ${last} else last_clicked end`,
          }))
          .where("id", "=", linkId)
          .execute();
      }
      return ids;
    });
  }

  async findById(workspaceId: string, clickId: string): Promise<Click | null> {
    const row = await this.db
      .selectFrom("clicks")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", clickId)
      .executeTakeFirst();
    return row ? toClick(row) : null;
  }
}

function countPerLink(clicks: Click[]): Map<string, { count: number; last: number }> {
  const counts = new Map<string, { count: number; last: number }>();
  for (const click of clicks) {
    const entry = counts.get(click.linkId) ?? { count: 0, last: 0 };
    entry.count += 1;
    entry.last = Math.max(entry.last, click.timestamp);
    counts.set(click.linkId, entry);
  }
  return counts;
}

function toRow(click: Click): ClickRow {
  return {
    id: click.id,
    workspace_id: click.workspaceId,
    link_id: click.linkId,
    timestamp: click.timestamp,
    identity_hash: click.identityHash,
    domain: click.domain,
    key: click.key,
    url: click.url,
    ip: click.ip,
    country: click.country,
    continent: click.continent,
    region: click.region,
    city: click.city,
    device: click.device,
    browser: click.browser,
    os: click.os,
    engine: click.engine,
    ua: click.ua,
    referer: click.referer,
    referer_url: click.refererUrl,
    qr: click.qr ? 1 : 0,
    trigger: click.trigger,
    utm_source: click.utmSource,
    utm_medium: click.utmMedium,
    utm_campaign: click.utmCampaign,
    utm_term: click.utmTerm,
    utm_content: click.utmContent,
  };
}

function toClick(row: Selectable<ClickRow>): Click {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    linkId: row.link_id,
    timestamp: Number(row.timestamp),
    identityHash: row.identity_hash,
    domain: row.domain,
    key: row.key,
    url: row.url,
    ip: row.ip,
    country: row.country,
    continent: row.continent,
    region: row.region,
    city: row.city,
    device: row.device,
    browser: row.browser,
    os: row.os,
    engine: row.engine,
    ua: row.ua,
    referer: row.referer,
    refererUrl: row.referer_url,
    qr: Boolean(row.qr),
    trigger: row.trigger === "qr" ? "qr" : "link",
    utmSource: row.utm_source,
    utmMedium: row.utm_medium,
    utmCampaign: row.utm_campaign,
    utmTerm: row.utm_term,
    utmContent: row.utm_content,
  };
}
