import { type Kysely, type Selectable, sql, type Transaction } from "kysely";
import type { Click } from "../../domain/clicks/model.js";
import type { ClickStore } from "../../domain/clicks/ports.js";
import type { OutboxEvent } from "../../domain/webhooks/model.js";
import { enqueueOutbox } from "./outbox.js";
import { applyRollups, clickRollup } from "./rollups.js";
import { executeRows, insertRows } from "./row-statements.js";
import type { ClickRow, Database } from "./schema.js";
import { transact } from "./transact.js";

const INSERT_CHUNK = 200;

export class SqlClickStore implements ClickStore {
  constructor(private readonly db: Kysely<Database>) {}

  async recordBatch(
    clicks: Click[],
    dedupeWindowMs: number,
    outbox: (fresh: Click[]) => OutboxEvent[] = () => [],
  ): Promise<string[]> {
    return transact(this.db, async (trx) => {
      const owner = dedupeWindowMs > 0 ? await claimVisitors(trx, clicks, dedupeWindowMs) : null;
      const ids = clicks.map((click) => owner?.get(visitorOf(click)) ?? click.id);
      const fresh = clicks.filter((click, index) => ids[index] === click.id);
      await enqueueOutbox(trx, outbox(fresh));
      const rows = fresh.map(toRow);
      await insertRows(trx, "clicks", rows, INSERT_CHUNK);
      await applyRollups(trx, rows.map(clickRollup), 1);
      for (const [linkId, { count, last }] of [...countPerLink(fresh)].sort(([a], [b]) => (a < b ? -1 : 1))) {
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

  async pruneVisitors(before: number): Promise<number> {
    const result = await this.db
      .deleteFrom("click_visitors")
      .where("first_seen", "<", before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
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

const visitorOf = (click: Pick<Click, "linkId" | "identityHash">) => `${click.linkId}:${click.identityHash}`;

/**
 * One upsert for the whole batch decides, per (link, visitor), which click id stands: the one already there
 * when it is younger than the window, else this batch's. Atomic under concurrency on every engine, since
 * the primary key serialises writers of the same visitor.
 */
async function claimVisitors(
  trx: Transaction<Database>,
  clicks: Click[],
  windowMs: number,
): Promise<Map<string, string>> {
  const firstOfBatch = new Map<string, Click>();
  for (const click of clicks)
    if (!firstOfBatch.has(visitorOf(click))) firstOfBatch.set(visitorOf(click), click);
  const owner = new Map<string, string>();
  // One lock order for every writer (sorted keys), so concurrent batches on PostgreSQL cannot deadlock.
  const candidates = [...firstOfBatch.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, click]) => click);
  for (let i = 0; i < candidates.length; i += INSERT_CHUNK) {
    const claims = candidates.slice(i, i + INSERT_CHUNK).map((click) => ({
      workspace_id: click.workspaceId,
      link_id: click.linkId,
      identity_hash: click.identityHash,
      click_id: click.id,
      first_seen: click.timestamp,
    }));
    const { rows } = await executeRows(trx, `click_visitors/${windowMs}`, claims, (chunk) =>
      trx
        .insertInto("click_visitors")
        .values(chunk)
        .onConflict((oc) =>
          oc.columns(["workspace_id", "link_id", "identity_hash"]).doUpdateSet({
            click_id: sql<string>`case when click_visitors.first_seen <= excluded.first_seen - ${sql.lit(windowMs)} then excluded.click_id else click_visitors.click_id end`,
            first_seen: sql<number>`case when click_visitors.first_seen <= excluded.first_seen - ${sql.lit(windowMs)} then excluded.first_seen else click_visitors.first_seen end`,
          }),
        )
        .returning(["link_id", "identity_hash", "click_id"]),
    );
    for (const row of rows)
      owner.set(visitorOf({ linkId: row.link_id, identityHash: row.identity_hash }), row.click_id);
  }
  return owner;
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

export function toClick(row: Selectable<ClickRow>): Click {
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
