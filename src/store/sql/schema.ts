import type { Generated } from "kysely";

/** Tables as every SQL engine stores them: times are epoch milliseconds, booleans 0/1. */
export interface Database extends ConversionTables, WebhookTables, AccountTables, IntegrationTables {
  settings: { name: string; value: string };
  /** `slug` is set on every row (0102_workspace_slug backfilled it; SQLite cannot add it as NOT NULL). */
  workspaces: {
    id: string;
    name: string;
    slug: string;
    created_at: number;
    allowed_hostnames: string | null;
  };
  api_keys: {
    id: string;
    workspace_id: string;
    name: string;
    hashed_key: string;
    partial_key: string;
    scopes: string | null;
    created_at: number;
    last_used_at: number | null;
    revoked_at: number | null;
    /** "secret" or "publishable" (migration 0105). */
    kind: Generated<string>;
    /** The user the key acts as; null: the workspace's own key (migration 0108). */
    user_id: string | null;
  };
  /** Custom domains and the workspace that owns each; the default short domain is shared and never listed. */
  domains: DomainRow;
  links: LinkRow;
  tags: TagRow;
  link_tags: {
    workspace_id: string;
    link_id: string;
    tag_id: string;
    created_at: number;
    /** Where the tag stands among the link's, as given; 0 for every tag attached before migration 0107. */
    position: Generated<number>;
  };
  folders: FolderRow;
  /** A user's own role on a folder, over the folder's access level (migration 0108). */
  folder_users: {
    workspace_id: string;
    folder_id: string;
    user_id: string;
    role: string;
    created_at: number;
  };
  clicks: ClickRow;
  click_visitors: {
    workspace_id: string;
    link_id: string;
    identity_hash: string;
    click_id: string;
    first_seen: number;
  };
  rollups: RollupTable;
  /** What each day's event columns were built from; see event-columns.ts. */
  event_column_days: {
    workspace_id: string;
    kind: string;
    day: number;
    events: number;
    amount: number;
    built_at: number;
    /** Where the columns end, in ms from the day's start; null: the whole day. */
    until_ms: number | null;
  };
  /** One attribute of one day's events of one kind, encoded by event-column-codec.ts. */
  event_columns: { workspace_id: string; kind: string; name: string; day: number; data: Uint8Array };
  /** The day rollups of a closed UTC month, summed; see month-rollups.ts. */
  month_rollups: Omit<RollupTable, "hours">;
  /** What each month's rollups were built from: the workspace's day totals then. */
  month_rollup_builds: {
    workspace_id: string;
    month: number;
    clicks: number;
    leads: number;
    sales: number;
    sale_amount: number;
    built_at: number;
  };
}

export interface DomainRow {
  slug: string;
  /** Made by PostgreSQL for rows that servers of an earlier version insert during an upgrade. */
  id: string;
  workspace_id: string;
  placeholder: string | null;
  expired_url: string | null;
  not_found_url: string | null;
  logo: string | null;
  archived: Generated<number>;
  created_at: number;
  /** Null until the domain's first change. */
  updated_at: number | null;
}

/** Pre-aggregated event counts; see rollups.ts. */
export interface RollupTable {
  workspace_id: string;
  dimension: string;
  hours: number;
  link_id: string;
  period: number;
  value: string;
  clicks: number;
  leads: number;
  sales: number;
  sale_amount: number;
}

export interface LinkRow {
  id: string;
  workspace_id: string;
  domain: string;
  key: string;
  url: string;
  external_id: string | null;
  tenant_id: string | null;
  track_conversion: number;
  archived: number;
  expires_at: number | null;
  expired_url: string | null;
  disabled_at: number | null;
  title: string | null;
  description: string | null;
  image: string | null;
  comments: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
  password: string | null;
  ios: string | null;
  android: string | null;
  /** JSON: country code → URL. */
  geo: string | null;
  /** JSON: [{url, percentage}]. */
  test_variants: string | null;
  test_started_at: number | null;
  test_completed_at: number | null;
  proxy: Generated<number>;
  rewrite: Generated<number>;
  do_index: Generated<number>;
  clicks: Generated<number>;
  leads: Generated<number>;
  conversions: Generated<number>;
  sales: Generated<number>;
  sale_amount: Generated<number>;
  last_clicked: number | null;
  last_lead_at: number | null;
  last_conversion_at: number | null;
  folder_id: string | null;
  /** The user the link was created as (migration 0108). */
  user_id: string | null;
  created_at: number;
  updated_at: number;
}

/** `name_key` is the name lower-cased: names are unique per workspace whatever their case. */
export interface TagRow {
  workspace_id: string;
  id: string;
  name: string;
  name_key: string;
  color: string;
  created_at: number;
  updated_at: number;
}

export interface FolderRow {
  workspace_id: string;
  id: string;
  name: string;
  name_key: string;
  description: string | null;
  access_level: string | null;
  created_at: number;
  updated_at: number;
}

export interface ClickRow {
  id: string;
  workspace_id: string;
  link_id: string;
  timestamp: number;
  identity_hash: string;
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
  referer_url: string;
  qr: number;
  trigger: string;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
}

export interface AttributionColumns {
  click_id: string;
  link_id: string;
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
  referer: string;
  referer_url: string;
  qr: number;
  trigger: string;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
}

export interface CustomerRow {
  id: string;
  workspace_id: string;
  external_id: string;
  name: string;
  email: string | null;
  avatar: string | null;
  country: string | null;
  click_id: string | null;
  link_id: string | null;
  clicked_at: number | null;
  sales: number;
  sale_amount: number;
  first_sale_at: number | null;
  stripe_customer_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface LeadEventRow extends AttributionColumns {
  id: string;
  workspace_id: string;
  customer_id: string;
  timestamp: number;
  event_name: string;
  metadata: string | null;
}

export interface SaleEventRow extends AttributionColumns {
  id: string;
  workspace_id: string;
  customer_id: string;
  lead_event_id: string;
  timestamp: number;
  event_name: string;
  amount: number;
  currency: string;
  converted: number;
  original_amount: number;
  original_currency: string;
  payment_processor: string;
  invoice_id: string | null;
  metadata: string | null;
}

export interface ConversionTables {
  customers: CustomerRow;
  lead_events: LeadEventRow;
  lead_claims: { workspace_id: string; customer_id: string; event_slug: string; created_at: number };
  sale_events: SaleEventRow;
  sale_invoices: {
    workspace_id: string;
    invoice_id: string;
    sale_event_id: string;
    receipt: string;
    created_at: number;
  };
  fx_rates: { currency: string; source: string; rate_per_usd: number; updated_at: number };
}

export interface WebhookTables {
  webhooks: {
    workspace_id: string;
    id: string;
    name: string;
    url: string;
    secret: string;
    disabled_at: number | null;
    disabled_reason: string | null;
    consecutive_failures: number;
    created_at: number;
    updated_at: number;
  };
  webhook_triggers: { workspace_id: string; webhook_id: string; trigger: string };
  webhook_links: { workspace_id: string; webhook_id: string; link_id: string };
  webhook_messages: {
    workspace_id: string;
    id: string;
    webhook_id: string;
    event_id: string;
    trigger: string;
    payload: string;
    status: string;
    attempts: number;
    next_attempt_at: number;
    lease_until: number | null;
    created_at: number;
    delivered_at: number | null;
    last_error: string | null;
  };
  webhook_attempts: {
    workspace_id: string;
    id: string;
    message_id: string;
    webhook_id: string;
    attempted_at: number;
    status_code: number | null;
    latency_ms: number;
    error: string | null;
    response_excerpt: string | null;
  };
}

/** Dashboard accounts (migration 0106). */
export interface AccountTables {
  users: {
    id: string;
    email: string;
    /** The email lower-cased by the application: unique. */
    email_key: string;
    name: string | null;
    password_hash: string;
    created_at: number;
  };
  memberships: { workspace_id: string; user_id: string; role: string; created_at: number };
  sessions: {
    id: string;
    user_id: string;
    token_hash: string;
    csrf_token: string;
    created_at: number;
    expires_at: number;
    last_seen_at: number;
  };
  invites: {
    workspace_id: string;
    id: string;
    token_hash: string;
    email: string;
    role: string;
    invited_by: string | null;
    created_at: number;
    expires_at: number;
    accepted_at: number | null;
    revoked_at: number | null;
  };
  setup_tokens: {
    workspace_id: string;
    id: string;
    token_hash: string;
    created_at: number;
    expires_at: number;
    used_at: number | null;
  };
}

/** Payment processor integrations (migration 0110). */
export interface IntegrationTables {
  integrations: {
    workspace_id: string;
    processor: string;
    secret: string;
    previous_secret: string | null;
    previous_secret_until: number | null;
    created_at: number;
    updated_at: number;
  };
  integration_events: {
    workspace_id: string;
    processor: string;
    event_id: string;
    type: string;
    payload: string | null;
    livemode: number;
    received_at: number;
    status: string;
    reason: string | null;
    awaiting: string | null;
    sale_event_id: string | null;
    refund_id: string | null;
    customer_id: string | null;
    invoice_id: string | null;
    attempts: number;
    lease_until: number | null;
    processed_at: number | null;
  };
  integration_customers: {
    workspace_id: string;
    processor: string;
    processor_customer_id: string;
    customer_id: string;
    created_at: number;
  };
  integration_payments: {
    workspace_id: string;
    processor: string;
    payment_key: string;
    invoice_id: string;
    created_at: number;
  };
  refund_events: RefundEventRow;
}

export interface RefundEventRow extends AttributionColumns {
  id: string;
  workspace_id: string;
  sale_event_id: string;
  customer_id: string;
  processor: string;
  refund_key: string;
  timestamp: number;
  /** USD cents when `converted`, else `original_amount`: the unit of its sale's `amount`. */
  amount: number;
  currency: string;
  converted: number;
  original_amount: number;
  original_currency: string;
  reason: string | null;
  metadata: string | null;
}
