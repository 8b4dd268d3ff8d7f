/** Values that belong to this installation as a whole, created by the first migration. */
export interface SettingsStore {
  get(name: "visitor_hash_secret"): Promise<string>;
  /** The install's default short domain, fixed at first start; undefined before it. */
  findShortDomain(): Promise<string | undefined>;
  /** Keeps `domain` as the default short domain unless one is already kept (first writer wins); returns the kept one. */
  keepShortDomain(domain: string): Promise<string>;
  /** Replaces the default short domain (an operator's explicit command). */
  replaceShortDomain(domain: string): Promise<void>;
  /** Rewrites a row of its own and commits, so that the caller learns whether the database takes writes now. */
  writeProbe(at: number): Promise<void>;
}
