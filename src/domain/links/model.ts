import type { LinkTag } from "../tags/model.js";

/** One destination of an A/B test and the share of visitors (percent) it gets. */
export type TestVariant = { url: string; percentage: number };

export type Link = {
  id: string;
  workspaceId: string;
  domain: string;
  key: string;
  url: string;
  externalId: string | null;
  tenantId: string | null;
  trackConversion: boolean;
  archived: boolean;
  expiresAt: number | null;
  expiredUrl: string | null;
  disabledAt: number | null;
  title: string | null;
  description: string | null;
  image: string | null;
  comments: string | null;
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  utmTerm: string | null;
  utmContent: string | null;
  /** Kept as the owner set it (the API shows it to them, as Dub does); never logged. */
  password: string | null;
  /** Social crawlers get a preview page of title, description and image instead of the redirect. */
  proxy: boolean;
  /** The short link answers a page that frames the destination (cloaking) instead of a redirect. */
  rewrite: boolean;
  /** Search engines may index the short link: its answers carry no `X-Robots-Tag: noindex`. */
  doIndex: boolean;
  ios: string | null;
  android: string | null;
  /** Country code (ISO 3166-1 alpha-2, upper case) → destination. */
  geo: Record<string, string> | null;
  testVariants: TestVariant[] | null;
  testStartedAt: number | null;
  testCompletedAt: number | null;
  folderId: string | null;
  /** The user the link was created as (ADR 24); null before users existed, or for a key acting as no user. */
  userId: string | null;
  /** In the order given (those tagged before migration 0107: by name). */
  tags: LinkTag[];
  /** The webhooks that name this link in their `linkIds` (Dub's `webhookIds`), in id order. */
  webhookIds: string[];
  clicks: number;
  leads: number;
  conversions: number;
  sales: number;
  saleAmount: number;
  lastClicked: number | null;
  createdAt: number;
  updatedAt: number;
};

/** The fields a caller may set; counters and ids are the system's. */
export type LinkFields = Pick<
  Link,
  | "url"
  | "domain"
  | "key"
  | "externalId"
  | "tenantId"
  | "trackConversion"
  | "archived"
  | "expiresAt"
  | "expiredUrl"
  | "disabledAt"
  | "title"
  | "description"
  | "image"
  | "comments"
  | "utmSource"
  | "utmMedium"
  | "utmCampaign"
  | "utmTerm"
  | "utmContent"
  | "folderId"
  | keyof SmartOptions
>;

export type SmartOptions = Pick<
  Link,
  | "password"
  | "proxy"
  | "rewrite"
  | "doIndex"
  | "ios"
  | "android"
  | "geo"
  | "testVariants"
  | "testStartedAt"
  | "testCompletedAt"
>;

/** A link that redirects everyone to its `url`. */
export const PLAIN_LINK: Readonly<SmartOptions> = Object.freeze({
  password: null,
  proxy: false,
  rewrite: false,
  doIndex: false,
  ios: null,
  android: null,
  geo: null,
  testVariants: null,
  testStartedAt: null,
  testCompletedAt: null,
});

/** A link's tags, named by id or by name (whatever its case). */
export type TagSelection = { ids: string[] } | { names: string[] };

/** `tags` replaces the link's tags and `webhookIds` its webhook subscriptions; absent, they stay as they are. */
export type LinkInput = Partial<LinkFields> & { tags?: TagSelection; webhookIds?: string[] };

/** How a random key is drawn: `keyPrefix/` then `keyLength` characters (Dub's `prefix` and `keyLength`). */
export type KeyOptions = { keyPrefix?: string; keyLength?: number };

/** A link to create: its destination, its fields, and how to draw its key when none is given. */
export type NewLinkInput = LinkInput & { url: string } & KeyOptions;

/** Which links a listing or a count covers. */
export type LinkConditions = {
  domain?: string;
  search?: string;
  tenantId?: string;
  externalId?: string;
  showArchived?: boolean;
  /** Links carrying any of these tags. */
  tagIds?: string[];
  /** Links carrying a tag of any of these names (whatever their case). */
  tagNames?: string[];
  folderId?: string;
  /** Only links with at least one tag. */
  withTags?: boolean;
  /** Only links outside any folder or in a folder this member may read (ADR 24). */
  readableBy?: string;
};

export type LinkFilter = LinkConditions & {
  sortBy: "createdAt" | "clicks" | "saleAmount" | "lastClicked" | "leads" | "sales";
  sortOrder: "asc" | "desc";
  page: number;
  pageSize: number;
  /** Link ids: the page after (or before) that link in this order; they win over `page`. */
  startingAfter?: string;
  endingBefore?: string;
};

/** Where a page of a listing starts: an offset, or just after (before) a link in the listing's order. */
export type LinkPageStart = { offset: number } | { after: Link } | { before: Link };

/** The links a walk over a workspace visits: `archived` true or false picks those links only, absent both. */
export type LinkWalkFilter = Omit<LinkConditions, "showArchived" | "search"> & { archived?: boolean };

/** What Dub's `GET /links/count` can group by. */
export type LinkCountGroup = "domain" | "tagId" | "folderId" | "userId";

export type LinkGroupCount = { value: string | null; count: number };

/** A link as it starts: no options, no tags, no counters; `updatedAt` is `createdAt` unless given. */
export function newLink(
  link: Pick<Link, "id" | "workspaceId" | "domain" | "key" | "url" | "createdAt"> & Partial<Link>,
): Link {
  return {
    externalId: null,
    tenantId: null,
    trackConversion: false,
    archived: false,
    expiresAt: null,
    expiredUrl: null,
    disabledAt: null,
    title: null,
    description: null,
    image: null,
    comments: null,
    utmSource: null,
    utmMedium: null,
    utmCampaign: null,
    utmTerm: null,
    utmContent: null,
    ...PLAIN_LINK,
    folderId: null,
    userId: null,
    tags: [],
    webhookIds: [],
    clicks: 0,
    leads: 0,
    conversions: 0,
    sales: 0,
    saleAmount: 0,
    lastClicked: null,
    updatedAt: link.createdAt,
    ...link,
  };
}
