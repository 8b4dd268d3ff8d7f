import type { ParseArgsConfig } from "node:util";
import type { StoreServices } from "../composition/store-services.js";
import { type Config, loadConfig } from "../config.js";
import type { Announcer } from "../domain/announcements.js";
import { badRequest, notFound } from "../domain/errors.js";
import type { Principal } from "../domain/workspaces/model.js";
import type { WorkspaceService } from "../domain/workspaces/workspace-service.js";
import type { Storage } from "../store/open-storage.js";

export type Options = NonNullable<ParseArgsConfig["options"]>;
export type Values = Record<string, string | boolean | undefined> & { json: boolean };

/** What a command is given: its action (the first word after it), the words after that, and its options. */
export type Input = { action: string | undefined; rest: string[]; values: Values };

/** One `clicktrail` command: its usage lines (shown in `clicktrail --help`), options and behaviour. */
export type Command = {
  name: string;
  /** Its lines in the usage text, each starting with `name`. */
  usage: string;
  options: Options;
  /** The actions it needs one of (`keys create`); absent for a command without actions. */
  actions?: string[];
  run(input: Input): Promise<void> | void;
};

/** Bad usage: exit status 2 with the message and the command's usage. */
export class UsageError extends Error {
  command: Command | undefined;
  constructor(message: string, command?: Command) {
    super(message);
    this.command = command;
  }
}

export const words = (value: unknown) =>
  typeof value === "string" ? value.split(/[\s,]+/).filter(Boolean) : [];

export const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** `--json` prints the data; otherwise the text for a person. */
export const print = (value: unknown, json: boolean, human: string) =>
  process.stdout.write(`${json ? JSON.stringify(value) : human}\n`);

/** A command runs no delivery worker and keeps no metrics: the servers' workers find its outbox rows at their next poll. */
export const nobodyListens: Announcer = { announce: () => {} };

export { iso } from "../wire/iso.js";

export async function withStorage<T>(
  run: (storage: Storage, config: Config) => Promise<T>,
  options = { migrate: false },
): Promise<T> {
  const config = loadConfig();
  // Loaded when a command needs the database, not for --help or a usage error (each CLI start pays for its imports).
  const { openStorage } = await import("../store/open-storage.js");
  const storage = await openStorage(config, options);
  try {
    return await run(storage, config);
  } finally {
    await storage.db.destroy();
  }
}

/**
 * Runs a command on the services a server builds over this install's storage, with nobody listening to what
 * they commit (see `nobodyListens`). `settled`: with the install's default short domain, as a server settles it
 * at start (for commands that make or show short links).
 */
export async function withServices<T>(
  run: (services: StoreServices, config: Config) => Promise<T>,
  { settled = false } = {},
): Promise<T> {
  const [{ storeServices }, { MemoryLinkCache }, { settleShortDomain }] = await Promise.all([
    import("../composition/store-services.js"),
    import("../domain/links/memory-link-cache.js"),
    import("../short-domain.js"),
  ]);
  return withStorage(async ({ stores }, loaded) => {
    const config = settled ? await settleShortDomain(loaded, stores.settings) : loaded;
    return run(storeServices(config, stores, new MemoryLinkCache(), nobodyListens), config);
  });
}

/** `--workspace ID`, or the only workspace there is; acting as an unrestricted key of it. */
export async function workspacePrincipal(
  workspaces: Pick<WorkspaceService, "listWorkspaces">,
  id: string | undefined,
): Promise<Principal> {
  const all = await workspaces.listWorkspaces();
  let workspaceId: string;
  if (id) {
    if (!all.some((workspace) => workspace.id === id)) throw notFound(`Workspace ${id} not found.`);
    workspaceId = id;
  } else if (all.length === 1) workspaceId = all[0].id;
  else if (all.length === 0) throw notFound("There is no workspace yet.");
  else throw badRequest(`There are ${all.length} workspaces; name one with --workspace.`);
  return { workspaceId, keyId: "cli", scopes: null, userId: null, role: null };
}

/** Rows as a text table, columns padded to their widest cell. */
export function table(rows: Record<string, unknown>[]): string {
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
