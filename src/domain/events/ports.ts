import type { EventCursor, EventQuery, StoredEvent } from "./model.js";

export type EventWindow = { limit: number } & ({ offset: number } | { after: EventCursor | null });

/** Reads recorded events. Events whose link no longer exists are not returned. */
export interface EventStore {
  read(query: EventQuery, window: EventWindow): Promise<StoredEvent[]>;
}
