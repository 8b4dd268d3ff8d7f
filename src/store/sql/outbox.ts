import { sql, type Transaction } from "kysely";
import type { OutboxEvent } from "../../domain/webhooks/model.js";
import type { Database } from "./schema.js";

/**
 * Writes each event once per enabled webhook that listens to its trigger (and to its link, when the webhook is
 * limited to some links), inside the caller's transaction: the event and its messages commit or vanish together.
 */
export async function enqueueOutbox(trx: Transaction<Database>, events: OutboxEvent[]): Promise<number> {
  let queued = 0;
  for (const event of events) {
    const result = await sql`
      INSERT INTO webhook_messages
        (workspace_id, id, webhook_id, event_id, trigger, payload, status, attempts, next_attempt_at, created_at)
      SELECT w.workspace_id, CAST(${event.eventId} AS TEXT) || ':' || w.id, w.id, CAST(${event.eventId} AS TEXT),
             CAST(${event.trigger} AS TEXT), CAST(${event.payload} AS TEXT), 'pending', 0,
             CAST(${event.createdAt} AS BIGINT), CAST(${event.createdAt} AS BIGINT)
      FROM webhooks w
      JOIN webhook_triggers t ON t.webhook_id = w.id AND t.trigger = ${event.trigger}
      WHERE w.workspace_id = ${event.workspaceId}
        AND w.disabled_at IS NULL
        AND (NOT EXISTS (SELECT 1 FROM webhook_links l WHERE l.webhook_id = w.id)
             OR EXISTS (SELECT 1 FROM webhook_links l WHERE l.webhook_id = w.id AND l.link_id = ${event.linkId}))`.execute(
      trx,
    );
    queued += Number(result.numAffectedRows ?? 0);
  }
  return queued;
}
