/** Values that belong to this installation as a whole, created by the first migration. */
export interface SettingsStore {
  get(name: "visitor_hash_secret"): Promise<string>;
  /** Rewrites a row of its own and commits, so that the caller learns whether the database takes writes now. */
  writeProbe(at: number): Promise<void>;
}
