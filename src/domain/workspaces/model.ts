import type { Scope } from "./scopes.js";

export type Workspace = {
  id: string;
  name: string;
  /** Unique across the install; see slug.ts. */
  slug: string;
  /** Sites allowed to track from the browser (/track/click, /track/lead/client, /track/sale/client): "example.com", "*.example.com". */
  allowedHostnames: string[];
  createdAt: number;
};

/** What a workspace has used since its current monthly cycle began (see billing-cycle.ts). */
export type WorkspaceUsage = {
  /** Clicks, leads and sales recorded, as Dub counts `usage`. */
  events: number;
  links: number;
  /** Revenue of converted sales, in USD cents. */
  saleAmount: number;
};

/** A workspace as its API shows it: with its cycle, its usage in that cycle and its custom domains. */
export type WorkspaceView = {
  workspace: Workspace;
  /** Day of the month (1–31) each cycle begins on. */
  billingCycleStart: number;
  usage: WorkspaceUsage;
  domains: string[];
};

export type WorkspaceChanges = { name?: string; slug?: string; allowedHostnames?: string[] };

export type ApiKey = {
  id: string;
  workspaceId: string;
  name: string;
  hashedKey: string;
  partialKey: string;
  scopes: Scope[] | null;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
  /** A publishable key (`dub_pk_…`) may be shipped in a web page: it only tracks from the workspace's allowed sites. */
  kind: KeyKind;
  /** The user the key acts as (its creator in the dashboard, or `keys create --user`); null: the workspace's own key. */
  userId: string | null;
};

/** A key and the role its user has in the key's workspace now (null: no user, or one who has left it). */
export type ApiKeyWithRole = ApiKey & { userRole: "owner" | "member" | null };

export type KeyKind = "secret" | "publishable";

/** What an owner may change of a key: its name and its scopes (null: every scope); its secret never changes. */
export type KeyChanges = { name?: string; scopes?: Scope[] | null };

/** Who is calling: resolved from a key or a dashboard session, carried through every service call. */
export type Principal = {
  workspaceId: string;
  keyId: string;
  scopes: Scope[] | null;
  /** The signed-in user and their role in the workspace; null for API keys. */
  userId: string | null;
  role: "owner" | "member" | null;
  /**
   * The user the call acts as, for folder rights and a link's `userId` (ADR 24): a session's user, or the user
   * a key acts as. Absent or null: the workspace's own key (or the CLI), which acts as no user.
   */
  actsAs?: Actor | null;
};

/** A user acting in a workspace, with their role there. */
export type Actor = { userId: string; role: "owner" | "member" };
