export type TestService = { url?: string; missing?: string; stop?: () => void };
export function startPostgres(): Promise<TestService>;
export function startRedis(): Promise<TestService>;
