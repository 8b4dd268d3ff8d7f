import { loadConfig } from "../config.js";
import { isPostgres, sqliteDataDir } from "../store/sqlite/files.js";
import { type Command, print, UsageError } from "./shared.js";

export const backup: Command = {
  name: "backup",
  usage: `backup FILE [--force] [--json]          copy the SQLite database into FILE while servers keep running (one
                                        consistent snapshot), check the copy and count what it holds; never
                                        over an existing FILE unless --force; on PostgreSQL use pg_dump`,
  options: { force: { type: "boolean", default: false } },
  async run({ action: file, rest, values }) {
    if (!file)
      throw new UsageError(
        "backup needs the FILE to write, e.g. clicktrail backup clicktrail-backup.sqlite",
        this,
      );
    if (rest.length) throw new UsageError(`backup takes one FILE, got also: ${rest.join(" ")}`, this);
    const config = loadConfig();
    const [{ BACKUP_ON_POSTGRES, backupDatabase, formatBackup }, { BackupError }, { copyCheck }] =
      await Promise.all([
        import("../store/sqlite/backup.js"),
        import("../store/sqlite/backup-error.js"),
        import("../store/sqlite/integrity.js"),
      ]);
    if (isPostgres(config)) throw new BackupError(BACKUP_ON_POSTGRES);
    const report = await backupDatabase({
      dataDir: sqliteDataDir(config),
      to: file,
      force: values.force === true,
      check: copyCheck(config.sqliteIntegrityCheck),
      progress: process.stderr.isTTY ? process.stderr : undefined,
    });
    print(report, values.json, formatBackup(report));
  },
};
