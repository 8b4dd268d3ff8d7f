import type { ApiKey } from "../domain/workspaces/model.js";
import { iso } from "./iso.js";

/** An API key as the dashboard lists it: never its secret; `scopes` null for a key with every scope. */
export const presentToken = (key: ApiKey) => ({
  id: key.id,
  name: key.name,
  partialKey: key.partialKey,
  scopes: key.scopes,
  kind: key.kind,
  createdAt: iso(key.createdAt),
  lastUsedAt: iso(key.lastUsedAt),
});

/** The answer to a creation: the listing's fields and, this once, the key itself. */
export const presentCreatedToken = (key: ApiKey & { key: string }) => ({
  ...presentToken(key),
  key: key.key,
});
