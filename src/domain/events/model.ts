import type { Click } from "../clicks/model.js";
import type { LeadEvent, SaleEvent } from "../conversions/model.js";
import type { Customer } from "../customers/model.js";
import type { Link } from "../links/model.js";
import type { MetadataQuery } from "./metadata-query.js";

export const EVENT_KINDS = ["clicks", "leads", "sales"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Any of these ids, or (`exclude`) none of them. */
export type IdFilter = { ids: string[]; exclude: boolean };

/**
 * Filters on the event's link (its current state) and on the event itself; every one is an exact match but
 * `tags` (the link carries any or none of them) and `folders` (the link is in any or none of them).
 */
export type EventFilter = {
  linkId?: string;
  domain?: string;
  key?: string;
  externalId?: string;
  tenantId?: string;
  tags?: IdFilter;
  folders?: IdFilter;
  customerId?: string;
  country?: string;
  city?: string;
  region?: string;
  continent?: string;
  device?: string;
  browser?: string;
  os?: string;
  trigger?: string;
  referer?: string;
  refererUrl?: string;
  url?: string;
  utmSource?: string;
  utmMedium?: string;
  utmCampaign?: string;
  utmTerm?: string;
  utmContent?: string;
  qr?: boolean;
  /** Conditions on a conversion's metadata; clicks have none, so none matches. */
  metadata?: MetadataQuery;
  /** A filter on a link feature Clicktrail does not have (partners, root links): nothing matches. */
  absentFeature?: boolean;
};

export type SortOrder = "asc" | "desc";

/** Events of one kind in one workspace, in a time range (epoch ms, inclusive), ordered by (timestamp, id). */
export type EventQuery = {
  workspaceId: string;
  kind: EventKind;
  start: number;
  end: number;
  filter: EventFilter;
  order: SortOrder;
};

export type StoredEvent =
  | { kind: "clicks"; event: Click }
  | { kind: "leads"; event: LeadEvent }
  | { kind: "sales"; event: SaleEvent };

/** An event with what it is presented with: its link and, for conversions, its customer. */
export type EventRecord =
  | { kind: "clicks"; event: Click; link: Link }
  | { kind: "leads"; event: LeadEvent; link: Link; customer: Customer }
  | { kind: "sales"; event: SaleEvent; link: Link; customer: Customer };

/** Where keyset pagination resumes: strictly after this event in the query's order. */
export type EventCursor = { timestamp: number; id: string };
