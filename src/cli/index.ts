import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { DomainError } from "../domain/errors.js";
import { EXIT_FAILURE, EXIT_USAGE } from "../exit-codes.js";
import { ExplainedError } from "../explained-error.js";
import { backup } from "./backup.js";
import { copy } from "./copy.js";
import { domains } from "./domains.js";
import { fx } from "./fx.js";
import { integrations } from "./integrations.js";
import { keys } from "./keys.js";
import { links } from "./links.js";
import { migrate } from "./migrate.js";
import { restore } from "./restore.js";
import { serve } from "./serve.js";
import { type Command, UsageError, type Values } from "./shared.js";
import { shortDomain } from "./short-domain.js";
import { stats } from "./stats.js";
import { users } from "./users.js";
import { webhooks } from "./webhooks.js";
import { workspaces } from "./workspaces.js";

const COMMANDS: Command[] = [
  serve,
  migrate,
  workspaces,
  keys,
  users,
  links,
  domains,
  fx,
  webhooks,
  integrations,
  shortDomain,
  stats,
  copy,
  backup,
  restore,
];

/** Commands whose first word after them is an argument (a FILE), not an action. */
const TAKES_ARGUMENT = new Set<Command>([backup, restore, shortDomain]);

const COMMON = {
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

const indent = (lines: string) => lines.replace(/^/gm, "  ");

const FOOTER = `Every command takes --help. Configuration comes from the environment (DATA_DIR, DATABASE_URL, …); see the README.
Exit status: 0 done, 1 failed or refused, 2 bad usage, 3 a database file is damaged (also at start),
4 the database is in use by another process, 130 interrupted (Ctrl-C).`;

export const USAGE = `Usage: clicktrail <command> [options]
       clicktrail --version | --help | <command> --help

Commands:
${COMMANDS.map((command) => indent(command.usage)).join("\n")}

${FOOTER}`;

/** One command's lines, each prefixed with `clicktrail`, descriptions kept aligned. */
const commandUsage = (command: Command) =>
  `Usage: clicktrail ${command.name}${command.actions ? ` <${command.actions.join("|")}>` : ""} [options]\n\n${command.usage
    .split("\n")
    .map((line) => (line.startsWith(" ") ? `${" ".repeat(13)}${line}` : `  clicktrail ${line}`))
    .join("\n")}\n\n${FOOTER}`;

function version(): string {
  const manifest = new URL("../../package.json", import.meta.url);
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}

export async function main(argv: string[]): Promise<void> {
  const name = argv.find((arg) => !arg.startsWith("-"));
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!name) {
    if (argv.includes("--version") || argv.includes("-v")) return void process.stdout.write(`${version()}\n`);
    if (argv.length === 0 || argv.includes("--help") || argv.includes("-h"))
      return void process.stdout.write(`${USAGE}\n`);
    throw new UsageError(`unknown option: ${argv[0]}`);
  }
  if (!command) throw new UsageError(`unknown command: ${name}`);
  const { values, positionals } = parseCommand(command, argv.toSpliced(argv.indexOf(name), 1));
  if (values.help) return void process.stdout.write(`${commandUsage(command)}\n`);
  const [action, ...rest] = positionals;
  if (command.actions) {
    if (action === undefined)
      throw new UsageError(`${command.name} needs one of: ${command.actions.join(", ")}`, command);
    if (!command.actions.includes(action))
      throw new UsageError(`unknown action: ${command.name} ${action}`, command);
  } else if (action !== undefined && !TAKES_ARGUMENT.has(command)) {
    throw new UsageError(`${command.name} takes no argument, got ${action}`, command);
  }
  await command.run.call(command, { action, rest, values });
}

function parseCommand(command: Command, args: string[]) {
  try {
    const parsed = parseArgs({
      args,
      options: { ...COMMON, ...command.options },
      allowPositionals: true,
      strict: true,
    });
    return { values: parsed.values as Values, positionals: parsed.positionals };
  } catch (error) {
    if (!String((error as { code?: string }).code).startsWith("ERR_PARSE_ARGS")) throw error;
    const message = (error as Error).message.split(". ")[0];
    throw new UsageError(message.replace(/^Unknown option '(.*)'$/, "unknown option: $1"), command);
  }
}

/** Runs the command line and ends with its exit status. */
export function run(argv: string[]): void {
  main(argv).catch((error: unknown) => {
    if (error instanceof UsageError) {
      const usage = error.command ? commandUsage(error.command) : USAGE;
      process.stderr.write(`clicktrail: ${error.message}\n\n${usage}\n`);
      process.exitCode = EXIT_USAGE;
    } else if (error instanceof ExplainedError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = error.exitCode;
    } else {
      const known = error instanceof DomainError;
      process.stderr.write(`clicktrail: ${known ? error.message : ((error as Error).stack ?? error)}\n`);
      process.exitCode = EXIT_FAILURE;
    }
  });
}
