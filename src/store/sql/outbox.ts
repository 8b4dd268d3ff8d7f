import { sql, type Transaction } from "kysely";
import type { OutboxEvent } from "../../domain/webhooks/model.js";
import type { Database } from "./schema.js";

const CHUNK = 100;

/**
 * Writes each event once per enabled webhook that listens to its trigger (and to its link, when the webhook is
 * limited to some links), inside the caller's transaction: the events and their messages commit or vanish
 * together. One statement per hundred events: a batch of clicks costs one INSERT … SELECT, not one per click.
 */
export async function enqueueOutbox(trx: Transaction<Database>, events: OutboxEvent[]): Promise<number> {
  let queued = 0;
  for (let i = 0; i < events.length; i += CHUNK) {
    // VALUES columns are named column1…column6 on both SQLite and PostgreSQL.
    const rows = events.slice(i, i + CHUNK).map(
      (event) =>
        sql`(CAST(${event.eventId} AS TEXT), CAST(${event.trigger} AS TEXT), CAST(${event.payload} AS TEXT),
               CAST(${event.linkId} AS TEXT), CAST(${event.createdAt} AS BIGINT), CAST(${event.workspaceId} AS TEXT))`,
    );
    const result = await sql`
      INSERT INTO webhook_messages
        (workspace_id, id, webhook_id, event_id, trigger, payload, status, attempts, next_attempt_at, created_at)
      SELECT w.workspace_id, e.column1 || ':' || w.id, w.id, e.column1, e.column2, e.column3, 'pending', 0,
             e.column5, e.column5
      FROM (VALUES ${sql.join(rows)}) AS e
      JOIN webhook_triggers t ON t.workspace_id = e.column6 AND t.trigger = e.column2
      JOIN webhooks w ON w.id = t.webhook_id
      WHERE w.disabled_at IS NULL
        AND (NOT EXISTS (SELECT 1 FROM webhook_links l WHERE l.webhook_id = w.id)
             OR EXISTS (SELECT 1 FROM webhook_links l WHERE l.webhook_id = w.id AND l.link_id = e.column4))`.execute(
      trx,
    );
    queued += Number(result.numAffectedRows ?? 0);
  }
  return queued;
}
