import type { Clock } from "../clock.js";
import type { Customer } from "../customers/model.js";
import type { CustomerStore } from "../customers/ports.js";
import type { FolderStore } from "../folders/ports.js";
import { ReadableFolders } from "../folders/readable-folders.js";
import type { Link } from "../links/model.js";
import type { LinkStore } from "../links/ports.js";
import { normaliseExternalId } from "../links/rules.js";
import type { Principal } from "../workspaces/model.js";
import type { EventFilter, EventKind, EventQuery, EventRecord, SortOrder, StoredEvent } from "./model.js";
import type { EventStore } from "./ports.js";
import { type RangeInput, resolveRange } from "./time-range.js";

export type EventParams = RangeInput & EventFilter & { event: EventKind; sortOrder: SortOrder };
export type EventPage = { page: number; limit: number };

const EXPORT_BATCH = 500;

export class EventService {
  private readonly readable: ReadableFolders;

  constructor(
    private readonly events: EventStore,
    private readonly links: LinkStore,
    private readonly customers: CustomerStore,
    folders: Pick<FolderStore, "list" | "rolesOf">,
    private readonly clock: Clock,
  ) {
    this.readable = new ReadableFolders(folders, links);
  }

  async list(principal: Principal, params: EventParams, { page, limit }: EventPage): Promise<EventRecord[]> {
    const query = await this.query(principal, params);
    if (params.absentFeature) return [];
    const stored = await this.events.read(query, { limit, offset: (page - 1) * limit });
    return this.hydrate(principal.workspaceId, stored);
  }

  /**
   * Every matching event in the order `list` pages through them, in batches read by keyset pagination, so
   * memory stays constant however many there are. Parameters are checked now, before the first batch.
   */
  async export(principal: Principal, params: EventParams): Promise<AsyncIterable<EventRecord[]>> {
    const query = await this.query(principal, params);
    if (params.absentFeature) return { async *[Symbol.asyncIterator]() {} };
    const read = (after: StoredEvent | undefined) =>
      this.events.read(query, {
        limit: EXPORT_BATCH,
        after: after ? { timestamp: after.event.timestamp, id: after.event.id } : null,
      });
    const hydrate = (stored: StoredEvent[]) => this.hydrate(principal.workspaceId, stored);
    return {
      async *[Symbol.asyncIterator]() {
        let batch = await read(undefined);
        while (batch.length > 0) {
          yield await hydrate(batch);
          if (batch.length < EXPORT_BATCH) return;
          batch = await read(batch[batch.length - 1]);
        }
      },
    };
  }

  private async query(principal: Principal, params: EventParams): Promise<EventQuery> {
    const { event, sortOrder, interval, start, end, timezone, ...filter } = params;
    const folders = await this.readable.bound(principal, filter);
    return {
      workspaceId: principal.workspaceId,
      kind: event,
      ...resolveRange({ interval, start, end, timezone }, this.clock.now()),
      order: sortOrder,
      filter: {
        ...filter,
        folders,
        domain: filter.domain?.toLowerCase(),
        externalId: filter.externalId === undefined ? undefined : normaliseExternalId(filter.externalId),
      },
    };
  }

  /** Events whose link or customer was deleted between the two reads are left out. */
  private async hydrate(workspaceId: string, stored: StoredEvent[]): Promise<EventRecord[]> {
    const links = byId<Link>(
      await this.links.findByIds(workspaceId, distinct(stored.map((s) => s.event.linkId))),
    );
    const customerIds = distinct(stored.flatMap((s) => (s.kind === "clicks" ? [] : [s.event.customerId])));
    const customers = byId<Customer>(
      customerIds.length > 0 ? await this.customers.findByIds(workspaceId, customerIds) : [],
    );
    const records: EventRecord[] = [];
    for (const s of stored) {
      const link = links.get(s.event.linkId);
      if (!link) continue;
      if (s.kind === "clicks") {
        records.push({ ...s, link });
        continue;
      }
      const customer = customers.get(s.event.customerId);
      if (customer) records.push({ ...s, link, customer });
    }
    return records;
  }
}

const distinct = (ids: string[]) => [...new Set(ids)];
const byId = <T extends { id: string }>(items: T[]) => new Map(items.map((item) => [item.id, item]));
