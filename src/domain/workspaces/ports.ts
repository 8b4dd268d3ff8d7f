import type {
  ApiKey,
  ApiKeyWithRole,
  KeyChanges,
  Workspace,
  WorkspaceChanges,
  WorkspaceUsage,
} from "./model.js";

export interface WorkspaceStore {
  /** Throws `UniqueViolation("slug")` when another workspace has the slug. */
  createWorkspace(workspace: Workspace): Promise<void>;
  getWorkspace(id: string): Promise<Workspace | null>;
  listWorkspaces(): Promise<Workspace[]>;
  setAllowedHostnames(id: string, hostnames: string[]): Promise<boolean>;
  /** The workspace as changed, or null when there is none; throws `UniqueViolation("slug")` like create. */
  updateWorkspace(id: string, changes: WorkspaceChanges): Promise<Workspace | null>;
  /** Events, links and converted revenue of the workspace from `since` (epoch ms, a UTC midnight) on. */
  usageSince(workspaceId: string, since: number): Promise<WorkspaceUsage>;
  /** The custom domains the workspace owns. */
  domainsOf(workspaceId: string): Promise<string[]>;
  createKey(key: ApiKey): Promise<void>;
  /** With the role its user has in its workspace now (null: no user, or one no longer a member). */
  findKeyByHash(hashedKey: string): Promise<ApiKeyWithRole | null>;
  listKeys(workspaceId?: string): Promise<ApiKey[]>;
  revokeKey(id: string, at: number): Promise<boolean>;
  /** Renames a live key or replaces its scopes (null: every scope); false when there is no live key `id`. */
  updateKey(id: string, changes: KeyChanges): Promise<boolean>;
  touchKey(id: string, at: number): Promise<void>;
}

export type RateLimitResult = { allowed: boolean; limit: number; remaining: number; resetAt: number };

export interface RateLimiter {
  readonly limit: number;
  consume(subject: string): Promise<RateLimitResult>;
}
