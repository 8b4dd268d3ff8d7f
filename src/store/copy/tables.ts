import type { Database } from "../sql/schema.js";

export type TableSpec = {
  name: keyof Database;
  /** The primary key on PostgreSQL: the conflict target of an upsert. */
  key: string[];
  /**
   * Rows that change after they are written (counters, revocations, renamed links, a visitor's renewed click):
   * compared again in full on every run, and updated where they differ. Other tables are append-only: a
   * run resumes them after the last copied row and never revisits a row.
   */
  mutable: boolean;
  /** Rows that the source deletes (deleted links, pruned visitors): removed from the target as well. */
  deletes: boolean;
  /** The column naming the row's workspace, for the tables that belong to one. */
  workspaceColumn: "workspace_id" | "id" | null;
};

const table = (
  name: keyof Database,
  key: string[],
  options: Partial<Pick<TableSpec, "mutable" | "deletes" | "workspaceColumn">> = {},
): TableSpec => ({
  name,
  key,
  mutable: options.mutable ?? false,
  deletes: options.deletes ?? false,
  workspaceColumn: options.workspaceColumn === undefined ? "workspace_id" : options.workspaceColumn,
});

/**
 * Every table, in an order that satisfies the foreign keys (api_keys, domains, folders, tags, links, customers,
 * webhooks → workspaces; link_tags → links and tags; webhook_triggers, webhook_links → webhooks; memberships → users). A source table missing here stops the copy, so none is lost.
 */
export const TABLES: readonly TableSpec[] = [
  table("settings", ["name"], { mutable: true, workspaceColumn: null }),
  table("workspaces", ["id"], { mutable: true, workspaceColumn: "id" }),
  table("api_keys", ["id"], { mutable: true }),
  table("domains", ["slug"], { mutable: true, deletes: true }),
  table("folders", ["id"], { mutable: true, deletes: true }),
  table("folder_users", ["workspace_id", "folder_id", "user_id"], { mutable: true, deletes: true }),
  table("tags", ["id"], { mutable: true, deletes: true }),
  table("links", ["id"], { mutable: true, deletes: true }),
  table("link_tags", ["workspace_id", "link_id", "tag_id"], { mutable: true, deletes: true }),
  table("click_visitors", ["workspace_id", "link_id", "identity_hash"], { mutable: true, deletes: true }),
  table("clicks", ["workspace_id", "id", "timestamp"]),
  table("customers", ["id"], { mutable: true }),
  table("lead_events", ["workspace_id", "id", "timestamp"]),
  table("lead_claims", ["workspace_id", "customer_id", "event_slug"]),
  table("sale_events", ["workspace_id", "id", "timestamp"]),
  table("sale_invoices", ["workspace_id", "invoice_id"]),
  table("fx_rates", ["currency", "source"], { mutable: true, workspaceColumn: null }),
  table("webhooks", ["id"], { mutable: true, deletes: true }),
  table("webhook_triggers", ["webhook_id", "trigger"], { mutable: true, deletes: true }),
  table("webhook_links", ["webhook_id", "link_id"], { mutable: true, deletes: true }),
  table("webhook_messages", ["id"], { mutable: true, deletes: true }),
  table("webhook_attempts", ["id"]),
  table("rollups", ["workspace_id", "dimension", "hours", "link_id", "period", "value"], { mutable: true }),
  table("users", ["id"], { mutable: true, workspaceColumn: null }),
  table("memberships", ["workspace_id", "user_id"], { mutable: true, deletes: true }),
  table("invites", ["id"], { mutable: true }),
  table("setup_tokens", ["id"], { mutable: true }),
  table("integrations", ["workspace_id", "processor"], { mutable: true, deletes: true }),
  table("integration_events", ["workspace_id", "processor", "event_id"], { mutable: true }),
  table("integration_customers", ["workspace_id", "processor", "processor_customer_id"]),
  table("integration_payments", ["workspace_id", "processor", "payment_key"]),
  table("refund_events", ["workspace_id", "id"]),
];

/**
 * Tables left behind on purpose. Sessions: a copy moves an install to another database, and whoever signs in
 * there signs in anew; copying live session tokens would only widen where a stolen one works. Event columns and month
 * rollups: derived from the events and the day rollups, the target's servers build them again.
 */
export const NOT_COPIED: readonly (keyof Database)[] = [
  "sessions",
  "event_column_days",
  "event_columns",
  "month_rollups",
  "month_rollup_builds",
];

/** Event tables, partitioned by month on PostgreSQL. */
export const EVENT_TABLES = ["clicks", "lead_events", "sale_events"] as const;

/** Totals compared after the copy, beside the row counts. */
export const SUMS: readonly { table: keyof Database; column: string }[] = [
  { table: "links", column: "clicks" },
  { table: "links", column: "leads" },
  { table: "links", column: "sales" },
  { table: "links", column: "sale_amount" },
  { table: "customers", column: "sale_amount" },
  { table: "sale_events", column: "amount" },
];
