export const SCOPES = [
  "links.read",
  "links.write",
  "domains.read",
  "domains.write",
  "tags.read",
  "tags.write",
  "folders.read",
  "folders.write",
  "analytics.read",
  "conversions.write",
  "customers.read",
  "customers.write",
  "webhooks.read",
  "webhooks.write",
  "workspaces.read",
  "workspaces.write",
  "apis.read",
  "apis.all",
] as const;

export type Scope = (typeof SCOPES)[number];

export const isScope = (value: string): value is Scope => (SCOPES as readonly string[]).includes(value);

/** `null` scopes mean an unrestricted key; a `.write` scope implies its `.read`. */
export function grants(scopes: readonly Scope[] | null, required: Scope): boolean {
  if (scopes === null || scopes.includes("apis.all") || scopes.includes(required)) return true;
  if (required.endsWith(".read")) {
    return scopes.includes("apis.read") || scopes.includes(required.replace(/\.read$/, ".write") as Scope);
  }
  return false;
}
