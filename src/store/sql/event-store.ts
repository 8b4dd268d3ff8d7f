import { type Kysely, type RawBuilder, type Selectable, type SqlBool, sql } from "kysely";
import type {
  EventFilter,
  EventKind,
  EventQuery,
  StoredEvent,
  ValueFilter,
} from "../../domain/events/model.js";
import type { EventStore, EventWindow } from "../../domain/events/ports.js";
import { toClick } from "./click-store.js";
import { EVENT_FILTER_COLUMNS } from "./event-filter-columns.js";
import { leadEventOf, saleEventOf } from "./event-rows.js";
import { metadataCondition, type SqlDialect } from "./metadata-conditions.js";
import type { ClickRow, Database, LeadEventRow, SaleEventRow } from "./schema.js";
import { tagAndFolderConditions } from "./tag-folder-conditions.js";
import { valueCondition } from "./value-condition.js";

const TABLES = { clicks: "clicks", leads: "lead_events", sales: "sale_events" } as const;

type Condition = RawBuilder<SqlBool>;
type EventRow = Selectable<ClickRow> | Selectable<LeadEventRow> | Selectable<SaleEventRow>;

/** Filters on columns every event table has. */
const EVENT_COLUMNS: Partial<Record<keyof EventFilter, string>> = {
  linkId: "link_id",
  ...EVENT_FILTER_COLUMNS,
};

/** Filters on the event's link as it is now. */
const LINK_COLUMNS: Partial<Record<keyof EventFilter, string>> = {
  domain: "domain",
  key: "key",
  externalId: "external_id",
  tenantId: "tenant_id",
};

export class SqlEventStore implements EventStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async read(query: EventQuery, window: EventWindow): Promise<StoredEvent[]> {
    const conditions = [
      sql<SqlBool>`e.workspace_id = ${query.workspaceId}`,
      sql<SqlBool>`e.timestamp >= ${query.start}`,
      sql<SqlBool>`e.timestamp <= ${query.end}`,
      ...eventConditions(query, this.dialect),
      linkCondition(query),
    ];
    const order = sql.raw(query.order);
    if ("after" in window && window.after) {
      const { timestamp, id } = window.after;
      const [past, pastOrAt] =
        query.order === "asc" ? [sql.raw(">"), sql.raw(">=")] : [sql.raw("<"), sql.raw("<=")];
      // The plain bound on timestamp alone lets PostgreSQL range-scan the (workspace_id, timestamp) index.
      conditions.push(
        sql`e.timestamp ${pastOrAt} ${timestamp}`,
        sql`(e.timestamp, e.id) ${past} (${timestamp}, ${id})`,
      );
    }
    const offset = "offset" in window && window.offset > 0 ? sql`offset ${window.offset}` : sql``;
    const { rows } = await sql<EventRow>`
      select e.* from ${sql.table(TABLES[query.kind])} as e
      where ${sql.join(conditions, sql` and `)}
      order by e.timestamp ${order}, e.id ${order}
      limit ${window.limit} ${offset}`.execute(this.db);
    return rows.map((row) => toStoredEvent(query.kind, row));
  }
}

function eventConditions({ workspaceId, kind, filter }: EventQuery, dialect: SqlDialect): Condition[] {
  const conditions: Condition[] = [];
  if (filter.metadata)
    conditions.push(kind === "clicks" ? sql`1 = 0` : metadataCondition(dialect, filter.metadata));
  for (const [name, column] of Object.entries(EVENT_COLUMNS)) {
    const value = filter[name as keyof EventFilter] as string | ValueFilter | undefined;
    if (typeof value === "string") conditions.push(sql`${sql.ref(`e.${column}`)} = ${value}`);
    else if (value !== undefined) conditions.push(valueCondition(sql.ref(`e.${column}`), value));
  }
  if (filter.qr !== undefined) conditions.push(sql`e.qr = ${filter.qr ? 1 : 0}`);
  if (filter.customerId !== undefined) {
    conditions.push(
      kind === "clicks"
        ? sql`e.id in (select click_id from lead_events where workspace_id = ${workspaceId} and customer_id = ${filter.customerId})`
        : sql`e.customer_id = ${filter.customerId}`,
    );
  }
  return conditions;
}

/**
 * Only events whose link still exists, as Dub shows them. Without link filters that is a primary-key probe
 * per event, so the time index still drives the scan; with them, the matching links are selected first.
 */
function linkCondition({ workspaceId, filter }: EventQuery): Condition {
  const onLink = [
    ...Object.entries(LINK_COLUMNS).flatMap(([name, column]) => {
      const value = filter[name as keyof EventFilter];
      return value === undefined ? [] : [sql<SqlBool>`${sql.ref(`l.${column}`)} = ${value}`];
    }),
    ...tagAndFolderConditions(workspaceId, filter),
  ];
  if (onLink.length === 0) {
    return sql`exists (select 1 from links l where l.id = e.link_id and l.workspace_id = e.workspace_id)`;
  }
  return sql`e.link_id in (select l.id from links l where l.workspace_id = ${workspaceId} and ${sql.join(onLink, sql` and `)})`;
}

function toStoredEvent(kind: EventKind, row: EventRow): StoredEvent {
  switch (kind) {
    case "clicks":
      return { kind, event: toClick(row as Selectable<ClickRow>) };
    case "leads":
      return { kind, event: leadEventOf(row as Selectable<LeadEventRow>) };
    case "sales":
      return { kind, event: saleEventOf(row as Selectable<SaleEventRow>) };
  }
}
