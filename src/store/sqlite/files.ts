import { join } from "node:path";
import type { Config } from "../../config.js";

export const DATABASE_FILE_NAME = "clicktrail.sqlite";

/** The embedded database's folder: `DATABASE_URL=sqlite:<dir>` wins over `DATA_DIR`. */
export const sqliteDataDir = (config: Pick<Config, "databaseUrl" | "dataDir">): string =>
  config.databaseUrl?.replace(/^sqlite:/, "") || config.dataDir;

export const databaseFile = (dataDir: string): string => join(dataDir, DATABASE_FILE_NAME);

export const isPostgres = (config: Pick<Config, "databaseUrl">): boolean =>
  config.databaseUrl?.startsWith("postgres") ?? false;
