import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Logger } from "pino";
import type { AccountService } from "./domain/accounts/account-service.js";
import type { CreatedKey, WorkspaceService } from "./domain/workspaces/workspace-service.js";

export const FIRST_START_FILE = "first-start.txt";

export type FirstStart = CreatedKey & { setupToken: string };

/** On an empty database: the first workspace, its key and the one-time link that makes its first owner. */
export async function firstStart(
  workspaces: WorkspaceService,
  accounts: AccountService,
): Promise<FirstStart | null> {
  const created = await workspaces.bootstrap();
  if (!created) return null;
  return { ...created, setupToken: await accounts.createSetupToken(created.workspaceId) };
}

/**
 * The first start's one-time secrets never enter the log stream: on a terminal they are shown in a banner;
 * otherwise (a service manager, a container, a pipe) they go to DATA_DIR/first-start.txt, readable by its
 * owner only, and the log says where.
 */
export function announceFirstStart(created: FirstStart, base: string, dataDir: string, logger: Logger): void {
  const lines = firstStartLines(created, base);
  if (process.stdout.isTTY) {
    process.stdout.write(boxed(lines));
    return;
  }
  mkdirSync(dataDir, { recursive: true });
  const file = resolve(join(dataDir, FIRST_START_FILE));
  writeFileSync(
    file,
    `${lines.join("\n")}\n\nDelete this file once the key is kept somewhere safe and the setup link used.\n`,
    {
      mode: 0o600,
    },
  );
  chmodSync(file, 0o600);
  logger.warn(
    { file },
    `first start: the new API key is in ${file} with the setup link (readable by its owner only)`,
  );
}

function firstStartLines({ workspaceId, key, setupToken }: FirstStart, base: string): string[] {
  return [
    "Clicktrail created a workspace and an API key for you.",
    "",
    `  workspace  ${workspaceId}`,
    `  API key    ${key}`,
    "",
    "The key is shown only this once: keep it somewhere safe.",
    "Open the setup link within 7 days to create the dashboard's first owner (it works once):",
    `Setup link: ${base}/app/setup?token=${setupToken}`,
    "",
    `Point a Dub SDK at ${base}/api, e.g.`,
    `  new Dub({ token: "${key}", serverURL: "${base}/api" })`,
  ];
}

function boxed(lines: string[]): string {
  const width = Math.max(...lines.map((line) => line.length)) + 2;
  const rule = `+${"-".repeat(width + 2)}+`;
  return `\n${rule}\n${lines.map((line) => `|  ${line.padEnd(width)}|`).join("\n")}\n${rule}\n\n`;
}
