import type { Generated } from "kysely";

/** Tables as every SQL engine stores them: times are epoch milliseconds, booleans 0/1. */
export interface Database {
  workspaces: { id: string; name: string; created_at: number };
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
  };
  links: LinkRow;
  clicks: ClickRow;
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
  clicks: Generated<number>;
  leads: Generated<number>;
  conversions: Generated<number>;
  sales: Generated<number>;
  sale_amount: Generated<number>;
  last_clicked: number | null;
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
