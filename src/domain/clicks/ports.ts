import type { OutboxEvent } from "../webhooks/model.js";

export type Location = { country: string; continent: string; city: string; region: string };

export interface GeoResolver {
  /** `countryHint` is a trusted proxy's country header, used instead of the database when given. */
  locate(ip: string, countryHint?: string): Location;
}

export type Click = {
  id: string;
  workspaceId: string;
  linkId: string;
  timestamp: number;
  identityHash: string;
  domain: string;
  key: string;
  url: string;
  ip: string;
  country: string;
  continent: string;
  region: string;
  city: string;
  device: string;
  browser: string;
  os: string;
  engine: string;
  ua: string;
  referer: string;
  refererUrl: string;
  qr: boolean;
  trigger: "link" | "qr";
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  utmTerm: string | null;
  utmContent: string | null;
  /** Its `link.clicked` webhook event, written with the click if the click is new. */
  webhook?: OutboxEvent;
};

export interface ClickStore {
  /**
   * Commits a batch in one transaction, adding each new click to its link's `clicks` and `lastClicked`.
   * A click whose visitor (identityHash) already clicked the same link within `dedupeWindowMs` is not
   * stored; the earlier click's id is returned in its place. Result ids are in input order.
   */
  recordBatch(clicks: Click[], dedupeWindowMs: number): Promise<string[]>;
  /** Forgets visitors first seen before `before`; returns how many. */
  pruneVisitors(before: number): Promise<number>;
  findById(workspaceId: string, clickId: string): Promise<Click | null>;
}
