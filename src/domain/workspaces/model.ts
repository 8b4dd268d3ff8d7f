import type { Scope } from "./scopes.js";

export type Workspace = {
  id: string;
  name: string;
  /** Sites allowed to record clicks from the browser (POST /track/click): "example.com", "*.example.com". */
  allowedHostnames: string[];
  createdAt: number;
};

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
};

/** Who is calling: resolved from a key, carried through every service call. */
export type Principal = { workspaceId: string; keyId: string; scopes: Scope[] | null };
