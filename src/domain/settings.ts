/** Values that belong to this installation as a whole, created by the first migration. */
export interface SettingsStore {
  get(name: "visitor_hash_secret"): Promise<string>;
}
