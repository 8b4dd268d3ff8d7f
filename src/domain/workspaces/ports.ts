import type { ApiKey, Workspace } from "./model.js";

export interface WorkspaceStore {
  createWorkspace(workspace: Workspace): Promise<void>;
  getWorkspace(id: string): Promise<Workspace | null>;
  listWorkspaces(): Promise<Workspace[]>;
  setAllowedHostnames(id: string, hostnames: string[]): Promise<boolean>;
  createKey(key: ApiKey): Promise<void>;
  findKeyByHash(hashedKey: string): Promise<ApiKey | null>;
  listKeys(workspaceId?: string): Promise<ApiKey[]>;
  revokeKey(id: string, at: number): Promise<boolean>;
}

export type RateLimitResult = { allowed: boolean; limit: number; remaining: number; resetAt: number };

export interface RateLimiter {
  readonly limit: number;
  consume(subject: string): Promise<RateLimitResult>;
}
