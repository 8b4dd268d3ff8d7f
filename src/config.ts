import { availableParallelism } from "node:os";
import { z } from "zod";
import { ExplainedError } from "./explained-error.js";

const boolean = z
  .enum(["true", "false", "1", "0", "yes", "no"], { error: "expected true or false" })
  .transform((value) => value === "true" || value === "1" || value === "yes");

const HOST_PORT = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:(\d{1,5}))?$/i;

const hostPort = z
  .string()
  .refine((value) => HOST_PORT.test(value) && Number(value.split(":")[1] ?? 0) <= 65535, {
    error: "expected a host name with an optional port, e.g. go.example.com",
  })
  .transform((value) => value.toLowerCase());

/** Decimal digits only: Number() would also take " ", "0x1F90" and "1e3". */
const integer = (error: string) => z.string().regex(/^\d+$/, { error }).transform(Number);

const schema = z.object({
  PORT: integer("expected a port number (0-65535)")
    .pipe(z.number().max(65535, { error: "expected a port number (0-65535)" }))
    .default(8080),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATA_DIR: z.string().min(1).default("./data"),
  DATABASE_URL: z
    .string()
    .regex(/^(postgres(ql)?|sqlite):/, { error: "expected postgres://… or sqlite:<path>" })
    .optional(),
  DATABASE_POOL_SIZE: integer("expected a positive integer")
    .pipe(z.number().positive({ error: "expected a positive integer" }))
    .default(10),
  WORKERS: integer("expected a positive integer")
    .pipe(z.number().positive({ error: "expected a positive integer" }))
    .default(1),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, { error: "expected redis://…" })
    .optional(),
  SHORT_DOMAIN: hostPort.optional(),
  API_HOST: hostPort.optional(),
  SHORT_LINK_PROTOCOL: z.enum(["http", "https"], { error: "expected http or https" }).optional(),
  RATE_LIMIT_PER_MINUTE: integer("expected a positive integer")
    .pipe(z.number().positive({ error: "expected a positive integer" }))
    .default(600),
  ANONYMIZE_IP: boolean.default(false),
  TRUST_PROXY: boolean.default(false),
  CLICK_DEDUPE_SECONDS: integer("expected a whole number of seconds").default(3600),
  SQLITE_SYNCHRONOUS: z.enum(["full", "normal"], { error: "expected full or normal" }).default("full"),
  ANALYTICS_THREADS: integer("expected a whole number of threads").optional(),
  SQLITE_INTEGRITY_CHECK: z
    .enum(["quick", "full", "off"], { error: "expected quick, full or off" })
    .default("quick"),
  FX_RATES_FILE: z.string().min(1).optional(),
  FX_RATES_URL: z
    .url({ protocol: /^https?$/, error: "expected an http(s) URL of an ECB-format rates XML" })
    .optional(),
  WEBHOOK_ALLOW_PRIVATE: boolean.default(false),
  WEBHOOK_TIMEOUT_MS: integer("expected milliseconds")
    .pipe(z.number().min(100, { error: "expected at least 100 ms" }))
    .default(10_000),
  WEBHOOK_MAX_ATTEMPTS: integer("expected a positive integer")
    .pipe(z.number().min(1, { error: "expected at least 1" }))
    .default(8),
  WEBHOOK_RETRY_BASE_MS: integer("expected milliseconds").default(60_000),
  WEBHOOK_DISABLE_AFTER: integer("expected a positive integer")
    .pipe(z.number().min(1, { error: "expected at least 1" }))
    .default(20),
  WEBHOOK_POLL_MS: integer("expected milliseconds")
    .pipe(z.number().min(10, { error: "expected at least 10 ms" }))
    .default(1_000),
  METATAGS_TIMEOUT_MS: integer("expected milliseconds")
    .pipe(z.number().min(100, { error: "expected at least 100 ms" }))
    .default(5_000),
  METRICS_TOKEN: z.string().min(16, { error: "expected at least 16 characters" }).optional(),
  NODE_ENV: z.string().optional(),
  CLICKTRAIL_TEST_PASSWORD_COST: z.string().optional(),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      error: "expected one of fatal, error, warn, info, debug, trace, silent",
    })
    .default("info"),
});

export type Config = Readonly<{
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  workers: number;
  redisUrl: string | undefined;
  shortDomain: string;
  /** Whether SHORT_DOMAIN was set, rather than derived from PORT. */
  shortDomainFromEnv: boolean;
  apiHost: string | undefined;
  shortLinkProtocol: "http" | "https";
  shortLinkProtocolFromEnv: boolean;
  rateLimitPerMinute: number;
  anonymizeIp: boolean;
  trustProxy: boolean;
  clickDedupeSeconds: number;
  sqliteSynchronous: "full" | "normal";
  sqliteIntegrityCheck: "quick" | "full" | "off";
  /** Reader threads that count event columns on SQLite (ADR 33); 0 counts on the event loop. */
  analyticsThreads: number;
  fxRatesFile: string | undefined;
  fxRatesUrl: string | undefined;
  webhookAllowPrivate: boolean;
  webhookTimeoutMs: number;
  webhookMaxAttempts: number;
  webhookRetryBaseMs: number;
  webhookDisableAfter: number;
  webhookPollMs: number;
  /** How long GET /api/metatags waits for a page, redirects included. */
  metatagsTimeoutMs: number;
  metricsToken: string | undefined;
  logLevel: string;
  /**
   * New passwords hashed at scrypt's TEST_ONLY_COST: for the test suites' servers, which hash hundreds. Only when
   * both NODE_ENV=test and CLICKTRAIL_TEST_PASSWORD_COST=low are set (README, Development), never otherwise.
   */
  testPasswordCost: boolean;
}>;

export class ConfigError extends ExplainedError {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  ${problem}`).join("\n")}`);
  }
}

const isLocal = (domain: string) => /^(localhost|127\.|\[::1\]|0\.0\.0\.0)/.test(domain);
const protocolFor = (domain: string) => (isLocal(domain) ? "http" : "https");

/** The configuration with the install's own default short domain (see short-domain.ts). */
export function withShortDomain(config: Config, shortDomain: string): Config {
  return Object.freeze({
    ...config,
    shortDomain,
    shortLinkProtocol: config.shortLinkProtocolFromEnv ? config.shortLinkProtocol : protocolFor(shortDomain),
  });
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        return `${name}=${JSON.stringify(env[name])}: ${issue.message}`;
      }),
    );
  }
  const e = parsed.data;
  const shortDomain = e.SHORT_DOMAIN ?? `localhost:${e.PORT}`;
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    workers: e.WORKERS,
    redisUrl: e.REDIS_URL,
    shortDomain,
    shortDomainFromEnv: e.SHORT_DOMAIN !== undefined,
    apiHost: e.API_HOST,
    shortLinkProtocol: e.SHORT_LINK_PROTOCOL ?? protocolFor(shortDomain),
    shortLinkProtocolFromEnv: e.SHORT_LINK_PROTOCOL !== undefined,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    anonymizeIp: e.ANONYMIZE_IP,
    trustProxy: e.TRUST_PROXY,
    clickDedupeSeconds: e.CLICK_DEDUPE_SECONDS,
    sqliteSynchronous: e.SQLITE_SYNCHRONOUS,
    sqliteIntegrityCheck: e.SQLITE_INTEGRITY_CHECK,
    analyticsThreads: e.ANALYTICS_THREADS ?? Math.min(4, availableParallelism()),
    fxRatesFile: e.FX_RATES_FILE,
    fxRatesUrl: e.FX_RATES_URL,
    webhookAllowPrivate: e.WEBHOOK_ALLOW_PRIVATE,
    webhookTimeoutMs: e.WEBHOOK_TIMEOUT_MS,
    webhookMaxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
    webhookRetryBaseMs: e.WEBHOOK_RETRY_BASE_MS,
    webhookDisableAfter: e.WEBHOOK_DISABLE_AFTER,
    webhookPollMs: e.WEBHOOK_POLL_MS,
    metatagsTimeoutMs: e.METATAGS_TIMEOUT_MS,
    metricsToken: e.METRICS_TOKEN,
    logLevel: e.LOG_LEVEL,
    testPasswordCost: e.NODE_ENV === "test" && e.CLICKTRAIL_TEST_PASSWORD_COST === "low",
  });
}
