#!/usr/bin/env node
import { parseArgs } from "node:util";
import { loadConfig } from "./config.js";
import { openStorage, type Storage } from "./container.js";
import { isCurrencyCode } from "./domain/conversions/currency.js";
import { FxRateBook } from "./domain/conversions/fx-rate-book.js";
import { DomainError } from "./domain/errors.js";
import { signedHeaders } from "./domain/webhooks/delivery-worker.js";
import { WebhookEvents } from "./domain/webhooks/events.js";
import { WEBHOOK_TRIGGERS, type WebhookTrigger } from "./domain/webhooks/model.js";
import { sampleEvent } from "./domain/webhooks/sample-event.js";
import { WorkspaceService } from "./domain/workspaces/workspace-service.js";
import { EXIT_FAILURE, EXIT_USAGE } from "./exit-codes.js";
import { ExplainedError } from "./explained-error.js";
import { systemClock } from "./infra/clock.js";
import { postWebhook } from "./infra/webhook-sender.js";
import { runServe } from "./main.js";
import { formatStats, statsReport } from "./stats-report.js";
import { copyDatabase } from "./store/copy/copy-database.js";
import { CopyError } from "./store/copy/copy-error.js";
import { formatChecks, MISMATCH_ADVICE } from "./store/copy/verify.js";
import { BACKUP_ON_POSTGRES, backupDatabase, formatBackup } from "./store/sqlite/backup.js";
import { BackupError } from "./store/sqlite/backup-error.js";
import { isPostgres, sqliteDataDir } from "./store/sqlite/files.js";
import { copyCheck } from "./store/sqlite/integrity.js";
import { formatRestore, RESTORE_ON_POSTGRES, restoreDatabase } from "./store/sqlite/restore.js";

const USAGE = `Usage: clicktrail <command> [options]

Commands:
  serve                                   start the server (same as npm start)
  migrate                                 apply pending database migrations and exit
  workspaces create --name NAME [--json]  create a workspace
  workspaces list [--json]                list workspaces
  workspaces update ID --allowed-hostnames "example.com,*.example.com"
                                          sites whose pages may record clicks (POST /track/click)
  keys create [--workspace ID] [--name NAME] [--scopes "links.read links.write …"] [--json]
                                          create an API key; it is printed once
  keys list [--workspace ID] [--json]     list API keys (never the keys themselves)
  keys revoke ID                          revoke an API key at once
  fx set CODE RATE                        set an exchange rate: RATE units of CODE per 1 USD
  fx list [--json]                        list the exchange rates in use and where they came from
  webhooks test ID [--trigger T] [--json] send a signed sample event to a webhook now and show the answer
  short-domain [--json]                   show the default short domain, fixed at first start
  short-domain set DOMAIN                 change it: new links without a domain get DOMAIN; existing links
                                          keep theirs and keep redirecting on it
  stats [--workspace ID] [--link [DOMAIN/]KEY] [--interval 30d] [--json]
                                          the funnel (clicks → leads → sales, revenue) and the top links;
                                          intervals: 24h 7d 30d 90d 1y mtd qtd ytd all
  copy --from DATA_DIR --to postgres://… [--force] [--batch-size N] [--json]
                                          copy a SQLite install into PostgreSQL (migrates it first),
                                          resumable, then verify counts; stop the servers first for an
                                          exact copy (or copy again after stopping them)
  backup FILE [--force] [--json]          copy the SQLite database into FILE while servers keep running (one
                                          consistent snapshot), check the copy and count what it holds; never
                                          over an existing FILE unless --force; on PostgreSQL use pg_dump
  restore FILE [--json]                   replace the SQLite database with the backup FILE, after checking it
                                          (intact, a schema this version knows); refused while a server or
                                          another command uses the data folder; the replaced database is kept
                                          as clicktrail.sqlite.before-restore-<time>

Configuration comes from the environment (DATA_DIR, DATABASE_URL, …); see the README.
Exit status: 0 done, 1 failed or refused, 2 bad usage, 3 a database file is damaged (also at start),
4 the database is in use by another process.`;

const OPTIONS = {
  name: { type: "string" },
  workspace: { type: "string" },
  scopes: { type: "string" },
  "allowed-hostnames": { type: "string" },
  trigger: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  force: { type: "boolean", default: false },
  "batch-size": { type: "string" },
  link: { type: "string" },
  interval: { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

type Values = {
  name?: string;
  workspace?: string;
  scopes?: string;
  "allowed-hostnames"?: string;
  trigger?: string;
  from?: string;
  to?: string;
  force: boolean;
  "batch-size"?: string;
  link?: string;
  interval?: string;
  json: boolean;
  help: boolean;
};

const list = (value: string | undefined) => value?.split(/[\s,]+/).filter(Boolean) ?? [];

const print = (value: unknown, json: boolean, text: string) =>
  process.stdout.write(`${json ? JSON.stringify(value) : text}\n`);

async function withStorage<T>(
  run: (storage: Storage) => Promise<T>,
  options = { migrate: false },
): Promise<T> {
  const storage = await openStorage(loadConfig(), options);
  try {
    return await run(storage);
  } finally {
    await storage.db.destroy();
  }
}

async function workspaces(action: string | undefined, rest: string[], values: Values) {
  await withStorage(async ({ stores }) => {
    const service = new WorkspaceService(stores.workspaces, systemClock);
    if (action === "create") {
      if (!values.name) throw new UsageError("workspaces create needs --name NAME");
      const workspace = await service.createWorkspace(values.name);
      print(
        { id: workspace.id, name: workspace.name },
        values.json,
        `Created workspace ${workspace.id} (${workspace.name})`,
      );
    } else if (action === "list") {
      const all = await service.listWorkspaces();
      const rows = all.map((w) => ({
        id: w.id,
        name: w.name,
        allowedHostnames: w.allowedHostnames.join(" "),
        createdAt: new Date(w.createdAt).toISOString(),
      }));
      print(rows, values.json, table(rows));
    } else if (action === "update") {
      const hostnames = values["allowed-hostnames"];
      if (!rest[0] || hostnames === undefined)
        throw new UsageError('workspaces update needs ID --allowed-hostnames "…"');
      await service.setAllowedHostnames(rest[0], list(hostnames));
      print({ id: rest[0], allowedHostnames: list(hostnames) }, values.json, `Updated ${rest[0]}`);
    } else throw new UsageError(`unknown command: workspaces ${action ?? ""}`);
  });
}

async function keys(action: string | undefined, rest: string[], values: Values) {
  await withStorage(async ({ stores }) => {
    const service = new WorkspaceService(stores.workspaces, systemClock);
    if (action === "create") {
      const created = await service.createKey({
        workspaceId: values.workspace,
        name: values.name,
        scopes: list(values.scopes),
      });
      print(
        created,
        values.json,
        `Created API key ${created.id} in workspace ${created.workspaceId}:\n\n  ${created.key}\n\nIt is shown only this once.`,
      );
    } else if (action === "list") {
      const all = await service.listKeys(values.workspace);
      const rows = all.map((k) => ({
        id: k.id,
        workspaceId: k.workspaceId,
        name: k.name,
        key: k.partialKey,
        scopes: k.scopes?.join(" ") ?? "(all)",
        createdAt: new Date(k.createdAt).toISOString(),
        revokedAt: k.revokedAt ? new Date(k.revokedAt).toISOString() : null,
      }));
      print(rows, values.json, table(rows));
    } else if (action === "revoke") {
      if (!rest[0]) throw new UsageError("keys revoke needs the key id (see keys list)");
      await service.revokeKey(rest[0]);
      print({ id: rest[0], revoked: true }, values.json, `Revoked ${rest[0]}`);
    } else throw new UsageError(`unknown command: keys ${action ?? ""}`);
  });
}

async function fx(action: string | undefined, rest: string[], values: Values) {
  await withStorage(async ({ stores }) => {
    const book = new FxRateBook(stores.fxRates);
    if (action === "set") {
      const [code, rate] = rest;
      if (!code || !isCurrencyCode(code) || code.toLowerCase() === "usd") {
        throw new UsageError(
          `fx set needs an ISO 4217 currency code other than USD, got ${JSON.stringify(code ?? "")}`,
        );
      }
      if (!(Number(rate) > 0))
        throw new UsageError(`fx set needs a positive rate (units of ${code} per 1 USD)`);
      await book.save([
        { currency: code.toUpperCase(), source: "manual", ratePerUsd: Number(rate), updatedAt: Date.now() },
      ]);
      print(
        { currency: code.toUpperCase(), ratePerUsd: Number(rate) },
        values.json,
        `1 USD = ${rate} ${code.toUpperCase()} (running servers pick it up within a minute)`,
      );
    } else if (action === "list") {
      const rows = (await stores.fxRates.list()).map((rate) => ({
        currency: rate.currency,
        perUsd: rate.ratePerUsd,
        source: rate.source,
        updatedAt: new Date(rate.updatedAt).toISOString(),
      }));
      print(rows, values.json, table(rows));
    } else throw new UsageError(`unknown command: fx ${action ?? ""}`);
  });
}

async function copy(values: Values) {
  if (!values.from || !values.to) throw new UsageError("copy needs --from DATA_DIR and --to postgres://…");
  const batchSize = values["batch-size"] === undefined ? undefined : Number(values["batch-size"]);
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0))
    throw new UsageError("--batch-size needs a positive whole number");
  try {
    const report = await copyDatabase({ from: values.from, to: values.to, force: values.force, batchSize });
    print(report, values.json, formatChecks(report.checks));
    if (report.ok) process.stderr.write("Copy complete: every count matches.\n");
    else {
      process.stderr.write(
        `clicktrail copy: the target differs from the source:\n${report.problems.map((p) => `  ${p}\n`).join("")}` +
          `${MISMATCH_ADVICE}\n`,
      );
      process.exitCode = 1;
    }
  } catch (error) {
    if (!(error instanceof CopyError)) throw error;
    process.stderr.write(`clicktrail copy: ${error.message}\n`);
    process.exitCode = 1;
  }
}

async function backup(file: string | undefined, values: Values) {
  if (!file)
    throw new UsageError("backup needs the FILE to write, e.g. clicktrail backup clicktrail-backup.sqlite");
  const config = loadConfig();
  if (isPostgres(config)) throw new BackupError(BACKUP_ON_POSTGRES);
  const report = await backupDatabase({
    dataDir: sqliteDataDir(config),
    to: file,
    force: values.force,
    check: copyCheck(config.sqliteIntegrityCheck),
    progress: process.stderr.isTTY ? process.stderr : undefined,
  });
  print(report, values.json, formatBackup(report));
}

function restore(file: string | undefined, values: Values) {
  if (!file) throw new UsageError("restore needs the backup FILE to restore");
  const config = loadConfig();
  if (isPostgres(config)) throw new BackupError(RESTORE_ON_POSTGRES);
  const report = restoreDatabase({
    dataDir: sqliteDataDir(config),
    from: file,
    check: copyCheck(config.sqliteIntegrityCheck),
  });
  print(report, values.json, formatRestore(report));
}

async function webhooks(action: string | undefined, rest: string[], values: Values) {
  if (action !== "test") throw new UsageError(`unknown command: webhooks ${action ?? ""}`);
  if (!rest[0]) throw new UsageError("webhooks test needs the webhook id");
  const config = loadConfig();
  await withStorage(async ({ stores }) => {
    const workspaces = await stores.workspaces.listWorkspaces();
    const found = await Promise.all(
      workspaces.map((workspace) => stores.webhooks.get(workspace.id, rest[0])),
    );
    const webhook = found.find((candidate) => candidate !== null);
    if (!webhook) throw new DomainError("not_found", `No webhook ${rest[0]}.`);
    const trigger = (values.trigger ?? webhook.triggers[0]) as WebhookTrigger;
    if (!WEBHOOK_TRIGGERS.includes(trigger))
      throw new UsageError(`--trigger must be one of ${WEBHOOK_TRIGGERS.join(", ")}`);
    const event = sampleEvent(new WebhookEvents(config.shortLinkProtocol), webhook.workspaceId, trigger);
    const result = await postWebhook(
      webhook.url,
      event.payload,
      signedHeaders(webhook.secret, event.eventId, event.payload),
      {
        timeoutMs: config.webhookTimeoutMs,
        allowPrivate: config.webhookAllowPrivate,
      },
    );
    const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    print(
      { webhookId: webhook.id, url: webhook.url, event: trigger, eventId: event.eventId, ok, ...result },
      values.json,
      `${trigger} ${event.eventId} → ${webhook.url}: ${result.statusCode ?? result.error} in ${result.latencyMs} ms` +
        (result.responseExcerpt ? `\n${result.responseExcerpt}` : ""),
    );
    if (!ok) process.exitCode = 1;
  });
}

function table(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return "(none)";
  const columns = Object.keys(rows[0]);
  const cells = rows.map((row) => columns.map((column) => String(row[column] ?? "")));
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((cell) => cell[i].length)));
  const line = (values: string[]) =>
    values
      .map((value, i) => value.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(columns), ...cells.map(line)].join("\n");
}

async function shortDomain(action: string | undefined, rest: string[], values: Values) {
  await withStorage(async ({ stores }) => {
    if (action === undefined) {
      const domain = (await stores.settings.findShortDomain()) ?? loadConfig().shortDomain;
      return print({ shortDomain: domain }, values.json, domain);
    }
    if (action !== "set" || rest.length !== 1) throw new UsageError("usage: short-domain set DOMAIN");
    const parsed = loadConfig({ SHORT_DOMAIN: rest[0] });
    const before = await stores.settings.findShortDomain();
    await stores.settings.replaceShortDomain(parsed.shortDomain);
    print(
      { shortDomain: parsed.shortDomain, previous: before ?? null },
      values.json,
      `The default short domain is now ${parsed.shortDomain}. New links without a domain get it; links on ${before ?? "the previous domain"} keep that domain and keep redirecting there. Restart the servers (and set SHORT_DOMAIN=${parsed.shortDomain} or leave it unset).`,
    );
  });
}

class UsageError extends Error {}

async function main(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    options: OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  const [command, action, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  switch (command) {
    case "serve":
      return runServe();
    case "migrate": {
      const applied = await withStorage(async (storage) => storage.appliedMigrations, { migrate: true });
      print(
        { applied },
        values.json,
        applied.length ? `Applied ${applied.join(", ")}` : "The schema is up to date.",
      );
      return;
    }
    case "workspaces":
      return workspaces(action, rest, values);
    case "fx":
      return fx(action, rest, values);
    case "webhooks":
      return webhooks(action, rest, values);
    case "keys":
      return keys(action, rest, values);
    case "copy":
      return copy(values);
    case "backup":
      return backup(action, values);
    case "restore":
      return restore(action, values);
    case "short-domain":
      return shortDomain(action, rest, values);
    case "stats":
      return withStorage(async ({ stores }) => {
        const report = await statsReport(stores, { workspaceId: values.workspace, ...values });
        print(report, values.json, formatStats(report));
      });
    default:
      throw new UsageError(`unknown command: ${command}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
    process.stderr.write(`clicktrail: ${(error as Error).message}\n\n${USAGE}\n`);
    process.exitCode = EXIT_USAGE;
    return;
  } else if (error instanceof ExplainedError) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = error.exitCode;
    return;
  } else if (error instanceof DomainError) process.stderr.write(`clicktrail: ${error.message}\n`);
  else process.stderr.write(`clicktrail: ${(error as Error).stack ?? error}\n`);
  process.exitCode = EXIT_FAILURE;
});
