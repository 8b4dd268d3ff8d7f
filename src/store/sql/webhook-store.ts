import { type Kysely, type Selectable, sql, type Transaction } from "kysely";
import type {
  DeliveryAttempt,
  MessageStatus,
  OutboxEvent,
  Webhook,
  WebhookMessage,
  WebhookTrigger,
} from "../../domain/webhooks/model.js";
import type {
  AttemptOutcome,
  AttemptRecord,
  DueMessage,
  WebhookFields,
  WebhookStore,
} from "../../domain/webhooks/ports.js";
import type { Database, WebhookTables } from "./schema.js";
import { transact } from "./transact.js";

export class SqlWebhookStore implements WebhookStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(webhook: Webhook): Promise<void> {
    await transact(this.db, async (trx) => {
      await trx
        .insertInto("webhooks")
        .values({
          workspace_id: webhook.workspaceId,
          id: webhook.id,
          name: webhook.name,
          url: webhook.url,
          secret: webhook.secret,
          disabled_at: webhook.disabledAt,
          disabled_reason: webhook.disabledReason,
          consecutive_failures: 0,
          created_at: webhook.createdAt,
          updated_at: webhook.updatedAt,
        })
        .execute();
      await replaceSubscriptions(trx, webhook.workspaceId, webhook.id, webhook.triggers, webhook.linkIds);
    });
  }

  async get(workspaceId: string, id: string): Promise<Webhook | null> {
    return (await this.load(workspaceId, [id]))[0] ?? null;
  }

  async workspaceOf(id: string): Promise<string | null> {
    const row = await this.db
      .selectFrom("webhooks")
      .select("workspace_id")
      .where("id", "=", id)
      .executeTakeFirst();
    return row?.workspace_id ?? null;
  }

  async list(workspaceId: string): Promise<Webhook[]> {
    const rows = await this.db
      .selectFrom("webhooks")
      .select("id")
      .where("workspace_id", "=", workspaceId)
      .orderBy("created_at")
      .execute();
    return this.load(
      workspaceId,
      rows.map((row) => row.id),
    );
  }

  async update(
    workspaceId: string,
    id: string,
    fields: Partial<WebhookFields> & { disabled?: boolean; secret?: string },
    at: number,
  ): Promise<Webhook | null> {
    const found = await transact(this.db, async (trx) => {
      const result = await trx
        .updateTable("webhooks")
        .set({
          ...(fields.name !== undefined ? { name: fields.name } : {}),
          ...(fields.url !== undefined ? { url: fields.url } : {}),
          ...(fields.secret !== undefined ? { secret: fields.secret } : {}),
          ...(fields.disabled === true ? { disabled_at: at, disabled_reason: "disabled by request" } : {}),
          ...(fields.disabled === false
            ? { disabled_at: null, disabled_reason: null, consecutive_failures: 0 }
            : {}),
          updated_at: at,
        })
        .where("workspace_id", "=", workspaceId)
        .where("id", "=", id)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      if (fields.triggers !== undefined || fields.linkIds !== undefined) {
        const current = (await this.load(workspaceId, [id], trx))[0];
        await replaceSubscriptions(
          trx,
          workspaceId,
          id,
          fields.triggers ?? current.triggers,
          fields.linkIds === undefined ? current.linkIds : fields.linkIds,
        );
      }
      return true;
    });
    return found ? this.get(workspaceId, id) : null;
  }

  async delete(workspaceId: string, id: string): Promise<boolean> {
    return transact(this.db, async (trx) => {
      for (const table of [
        "webhook_attempts",
        "webhook_messages",
        "webhook_triggers",
        "webhook_links",
      ] as const) {
        await trx
          .deleteFrom(table)
          .where("webhook_id", "=", id)
          .where("workspace_id", "=", workspaceId)
          .execute();
      }
      const result = await trx
        .deleteFrom("webhooks")
        .where("workspace_id", "=", workspaceId)
        .where("id", "=", id)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  async hasSubscribers(workspaceId: string, trigger: WebhookTrigger): Promise<boolean> {
    const row = await this.db
      .selectFrom("webhook_triggers as t")
      .innerJoin("webhooks as w", "w.id", "t.webhook_id")
      .select("w.id")
      .where("t.workspace_id", "=", workspaceId)
      .where("t.trigger", "=", trigger)
      .where("w.disabled_at", "is", null)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async claimDue(now: number, leaseUntil: number, limit: number): Promise<DueMessage[]> {
    // In a transaction, so that on SQLite the claim joins the open group commit: a write outside any transaction
    // would commit the group early and then fsync on its own, at every poll.
    return transact(this.db, async (trx) => {
      // The outer conditions are re-checked against a row another worker has just leased (PostgreSQL re-evaluates
      // them after waiting for its lock), so two workers never both take one message.
      const rows = await trx
        .updateTable("webhook_messages")
        .set({ lease_until: leaseUntil })
        .where("id", "in", (eb) =>
          eb
            .selectFrom("webhook_messages")
            .select("id")
            .where("status", "=", "pending")
            .where("next_attempt_at", "<=", now)
            .where((w) => w.or([w("lease_until", "is", null), w("lease_until", "<=", now)]))
            .orderBy("next_attempt_at")
            .limit(limit),
        )
        // Written so that no index on status serves it: the rows are found by id, from the subquery. SQLite
        // otherwise walked every pending message at each claim, quadratic in a backlog.
        .where(sql<string>`${sql.ref("status")} || ''`, "=", "pending")
        .where((w) => w.or([w("lease_until", "is", null), w("lease_until", "<=", now)]))
        .returningAll()
        .execute();
      if (rows.length === 0) return [];
      const hooks = await trx
        .selectFrom("webhooks")
        .select(["id", "url", "secret", "disabled_at"])
        .where("id", "in", [...new Set(rows.map((row) => row.webhook_id))])
        .execute();
      const byId = new Map(hooks.map((hook) => [hook.id, hook]));
      return rows.map((row) => {
        const hook = byId.get(row.webhook_id);
        return {
          ...toMessage(row),
          url: hook?.url ?? "",
          secret: hook?.secret ?? "",
          webhookDisabled: !hook || hook.disabled_at !== null,
        };
      });
    });
  }

  async recordAttempts(records: AttemptRecord[]): Promise<void> {
    await transact(this.db, async (trx) => {
      for (const { message, attempt, outcome } of records) {
        await trx
          .insertInto("webhook_attempts")
          .values({
            workspace_id: message.workspaceId,
            id: attempt.id,
            message_id: message.id,
            webhook_id: message.webhookId,
            attempted_at: attempt.attemptedAt,
            status_code: attempt.statusCode,
            latency_ms: attempt.latencyMs,
            error: attempt.error,
            response_excerpt: attempt.responseExcerpt,
          })
          .execute();
        await trx
          .updateTable("webhook_messages")
          .set((eb) => ({
            attempts: eb("attempts", "+", 1),
            lease_until: null,
            status: outcome.kind === "retry" ? "pending" : outcome.kind,
            next_attempt_at: outcome.kind === "retry" ? outcome.nextAttemptAt : outcome.at,
            delivered_at: outcome.kind === "delivered" ? outcome.at : null,
            last_error: outcome.kind === "delivered" ? null : outcome.error,
          }))
          .where("id", "=", message.id)
          .execute();
        if (outcome.kind === "delivered") {
          await trx
            .updateTable("webhooks")
            .set({ consecutive_failures: 0 })
            .where("id", "=", message.webhookId)
            .where("consecutive_failures", "<>", 0)
            .execute();
        } else if (outcome.kind === "failed" && !message.webhookDisabled) {
          await this.countFailure(trx, message, outcome);
        }
      }
    });
  }

  async listMessages(
    workspaceId: string,
    webhookId: string,
    options: { status?: MessageStatus; limit: number; page: number },
  ): Promise<(WebhookMessage & { attemptLog: DeliveryAttempt[] })[]> {
    let query = this.db
      .selectFrom("webhook_messages")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("webhook_id", "=", webhookId);
    if (options.status) query = query.where("status", "=", options.status);
    const rows = await query
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(options.limit)
      .offset((options.page - 1) * options.limit)
      .execute();
    if (rows.length === 0) return [];
    const attempts = await this.db
      .selectFrom("webhook_attempts")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where(
        "message_id",
        "in",
        rows.map((row) => row.id),
      )
      .orderBy("attempted_at")
      .execute();
    return rows.map((row) => ({
      ...toMessage(row),
      attemptLog: attempts
        .filter((attempt) => attempt.message_id === row.id)
        .map((attempt) => ({
          id: attempt.id,
          messageId: attempt.message_id,
          attemptedAt: Number(attempt.attempted_at),
          statusCode: attempt.status_code,
          latencyMs: attempt.latency_ms,
          error: attempt.error,
          responseExcerpt: attempt.response_excerpt,
        })),
    }));
  }

  async enqueueFor(workspaceId: string, webhookId: string, event: OutboxEvent): Promise<boolean> {
    const result = await this.db
      .insertInto("webhook_messages")
      .columns([
        "workspace_id",
        "id",
        "webhook_id",
        "event_id",
        "trigger",
        "payload",
        "status",
        "attempts",
        "next_attempt_at",
        "created_at",
      ])
      .expression((eb) =>
        eb
          .selectFrom("webhooks")
          .select([
            "workspace_id",
            eb.val(`${event.eventId}:${webhookId}`).as("id"),
            "id as webhook_id",
            eb.val(event.eventId).as("event_id"),
            eb.val(event.trigger).as("trigger"),
            eb.val(event.payload).as("payload"),
            eb.val("pending").as("status"),
            eb.val(0).as("attempts"),
            eb.val(event.createdAt).as("next_attempt_at"),
            eb.val(event.createdAt).as("created_at"),
          ])
          .where("workspace_id", "=", workspaceId)
          .where("id", "=", webhookId),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async requeue(workspaceId: string, webhookId: string, eventId: string, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable("webhook_messages")
      .set({ status: "pending", next_attempt_at: at, lease_until: null })
      .where("workspace_id", "=", workspaceId)
      .where("webhook_id", "=", webhookId)
      .where("event_id", "=", eventId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  private async countFailure(
    trx: Transaction<Database>,
    message: DueMessage,
    outcome: AttemptOutcome & { kind: "failed" },
  ) {
    const hook = await trx
      .updateTable("webhooks")
      .set((eb) => ({ consecutive_failures: eb("consecutive_failures", "+", 1) }))
      .where("id", "=", message.webhookId)
      .returning(["consecutive_failures", "disabled_at"])
      .executeTakeFirst();
    if (hook && hook.disabled_at === null && hook.consecutive_failures >= outcome.disableAfter) {
      await trx
        .updateTable("webhooks")
        .set({
          disabled_at: outcome.at,
          disabled_reason: `Disabled after ${hook.consecutive_failures} consecutive failed events; the last: ${outcome.error}`,
        })
        .where("id", "=", message.webhookId)
        .execute();
    }
  }

  private async load(
    workspaceId: string,
    ids: string[],
    db: Kysely<Database> | Transaction<Database> = this.db,
  ): Promise<Webhook[]> {
    if (ids.length === 0) return [];
    const rows = await db
      .selectFrom("webhooks")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("id", "in", ids)
      .execute();
    const triggers = await db
      .selectFrom("webhook_triggers")
      .selectAll()
      .where("webhook_id", "in", ids)
      .execute();
    const links = await db.selectFrom("webhook_links").selectAll().where("webhook_id", "in", ids).execute();
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.flatMap((id) => {
      const row = byId.get(id);
      if (!row) return [];
      const linkIds = links.filter((link) => link.webhook_id === id).map((link) => link.link_id);
      return [
        {
          id: row.id,
          workspaceId: row.workspace_id,
          name: row.name,
          url: row.url,
          secret: row.secret,
          triggers: triggers.filter((t) => t.webhook_id === id).map((t) => t.trigger as WebhookTrigger),
          linkIds: linkIds.length > 0 ? linkIds : null,
          disabledAt: row.disabled_at === null ? null : Number(row.disabled_at),
          disabledReason: row.disabled_reason,
          consecutiveFailures: row.consecutive_failures,
          createdAt: Number(row.created_at),
          updatedAt: Number(row.updated_at),
        },
      ];
    });
  }
}

async function replaceSubscriptions(
  trx: Transaction<Database>,
  workspaceId: string,
  webhookId: string,
  triggers: WebhookTrigger[],
  linkIds: string[] | null,
) {
  await trx.deleteFrom("webhook_triggers").where("webhook_id", "=", webhookId).execute();
  await trx.deleteFrom("webhook_links").where("webhook_id", "=", webhookId).execute();
  if (triggers.length > 0) {
    await trx
      .insertInto("webhook_triggers")
      .values(triggers.map((trigger) => ({ workspace_id: workspaceId, webhook_id: webhookId, trigger })))
      .execute();
  }
  if (linkIds && linkIds.length > 0) {
    await trx
      .insertInto("webhook_links")
      .values(
        linkIds.map((linkId) => ({ workspace_id: workspaceId, webhook_id: webhookId, link_id: linkId })),
      )
      .execute();
  }
}

function toMessage(row: Selectable<WebhookTables["webhook_messages"]>): WebhookMessage {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    webhookId: row.webhook_id,
    eventId: row.event_id,
    trigger: row.trigger as WebhookTrigger,
    payload: row.payload,
    status: row.status as MessageStatus,
    attempts: row.attempts,
    nextAttemptAt: Number(row.next_attempt_at),
    createdAt: Number(row.created_at),
    deliveredAt: row.delivered_at === null ? null : Number(row.delivered_at),
    lastError: row.last_error,
  };
}
