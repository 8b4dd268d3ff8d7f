import type { Click } from "../clicks/model.js";
import type { LeadEvent, SaleEvent } from "../conversions/model.js";
import type { Customer } from "../customers/model.js";
import type { Link } from "../links/model.js";
import type { MetadataQuery } from "./metadata-query.js";

export const EVENT_KINDS = ["clicks", "leads", "sales"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Any of these ids, or (`exclude`) none of them. */
export type IdFilter = { ids: string[]; exclude: boolean };

/** Events whose attribute is one of `values`, or none of them when `exclude`; `anyCase` ignores letter case. */
export type ValueFilter = { values: string[]; exclude: boolean; anyCase?: boolean };

/**
 * Filters on the event's link (its current state) and on the event itself: the link's fields and `region` match
 * exactly, `tags` and `folders` as IdFilters (the link carries any or none of them), the event's attributes as
 * ValueFilters.
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
  country?: ValueFilter;
  city?: ValueFilter;
  region?: string;
  continent?: ValueFilter;
  device?: ValueFilter;
  browser?: ValueFilter;
  os?: ValueFilter;
  trigger?: ValueFilter;
  referer?: ValueFilter;
  refererUrl?: ValueFilter;
  url?: ValueFilter;
  utmSource?: ValueFilter;
  utmMedium?: ValueFilter;
  utmCampaign?: ValueFilter;
  utmTerm?: ValueFilter;
  utmContent?: ValueFilter;
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
