export type TestService = { url?: string; missing?: string; stop?: () => void };
export type TestPostgres = TestService & {
  /** Starts the server again on the same data directory and port, after `kill`. */
  start?: () => void;
  /** SIGKILLs the postmaster and its children; resolves when they are gone. */
  kill?: () => Promise<void>;
};
export function startPostgres(options?: { durable?: boolean }): Promise<TestPostgres>;
export function startRedis(): Promise<TestService>;
