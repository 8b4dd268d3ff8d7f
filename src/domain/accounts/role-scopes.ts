import { SCOPES, type Scope } from "../workspaces/scopes.js";
import type { Role } from "./model.js";

/** Members cannot manage keys, members or webhooks; owners may do everything a key may. */
const MEMBER_DENIED: readonly Scope[] = ["webhooks.write", "workspaces.write", "apis.all"];

export function scopesOf(role: Role): Scope[] {
  return role === "owner" ? [...SCOPES] : SCOPES.filter((scope) => !MEMBER_DENIED.includes(scope));
}
