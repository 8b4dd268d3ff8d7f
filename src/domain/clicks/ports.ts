import type { OutboxEvent } from "../webhooks/model.js";
import type { Click } from "./model.js";

export type Location = { country: string; continent: string; city: string; region: string };

export interface GeoResolver {
  /** `countryHint` is a trusted proxy's country header, used instead of the database when given. */
  locate(ip: string, countryHint?: string): Location;
}

export type DeviceInfo = { device: string; browser: string; os: string; engine: string };

export interface DeviceDetector {
  /** What a User-Agent says of the visitor's device; "Unknown" (or "Desktop") where it says nothing. */
  detect(userAgent: string): DeviceInfo;
}

export interface ClickStore {
  /**
   * Commits a batch in one transaction, adding each new click to its link's `clicks` and `lastClicked`.
   * A click whose visitor (identityHash) already clicked the same link within `dedupeWindowMs` is not
   * stored; the earlier click's id is returned in its place. Result ids are in input order. `outbox` names the
   * webhook events to queue in the same transaction, given the clicks that were new.
   */
  recordBatch(
    clicks: Click[],
    dedupeWindowMs: number,
    outbox?: (fresh: Click[]) => OutboxEvent[],
  ): Promise<string[]>;
  /** Forgets visitors first seen before `before`; returns how many. */
  pruneVisitors(before: number): Promise<number>;
  findById(workspaceId: string, clickId: string): Promise<Click | null>;
}
