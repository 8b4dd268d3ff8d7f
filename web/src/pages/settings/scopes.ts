/** The scopes a key can have, grouped by resource as the key form shows them (the server's list, src/domain/workspaces/scopes.ts). */
export const SCOPE_GROUPS = [
  { resource: "Links", scopes: ["links.read", "links.write"] },
  { resource: "Domains", scopes: ["domains.read", "domains.write"] },
  { resource: "Tags", scopes: ["tags.read", "tags.write"] },
  { resource: "Folders", scopes: ["folders.read", "folders.write"] },
  { resource: "Analytics", scopes: ["analytics.read"] },
  { resource: "Conversions (track leads and sales)", scopes: ["conversions.write"] },
  { resource: "Customers", scopes: ["customers.read", "customers.write"] },
  { resource: "Webhooks", scopes: ["webhooks.read", "webhooks.write"] },
  { resource: "Workspace", scopes: ["workspaces.read", "workspaces.write"] },
] as const;

export const scopeAction = (scope: string) => (scope.endsWith(".read") ? "Read" : "Write");

/** How a key's scopes read in the table. */
export function describeScopes(scopes: string[] | null, kind: "secret" | "publishable"): string {
  if (kind === "publishable") return "Track from allowed sites";
  if (scopes === null || scopes.includes("apis.all")) return "All access";
  if (scopes.length === 1 && scopes[0] === "apis.read") return "Read-only";
  return scopes.join(", ");
}
