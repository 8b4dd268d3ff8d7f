import { loadConfig } from "../config.js";
import { isPostgres, sqliteDataDir } from "../store/sqlite/files.js";
import { type Command, print, UsageError } from "./shared.js";

export const restore: Command = {
  name: "restore",
  usage: `restore FILE [--json]                   replace the SQLite database with the backup FILE, after checking it
                                        (intact, a schema this version knows); refused while a server or
                                        another command uses the data folder; the replaced database is kept
                                        as clicktrail.sqlite.before-restore-<time>`,
  options: {},
  async run({ action: file, rest, values }) {
    if (!file) throw new UsageError("restore needs the backup FILE to restore", this);
    if (rest.length) throw new UsageError(`restore takes one FILE, got also: ${rest.join(" ")}`, this);
    const config = loadConfig();
    const [{ formatRestore, RESTORE_ON_POSTGRES, restoreDatabase }, { BackupError }, { copyCheck }] =
      await Promise.all([
        import("../store/sqlite/restore.js"),
        import("../store/sqlite/backup-error.js"),
        import("../store/sqlite/integrity.js"),
      ]);
    if (isPostgres(config)) throw new BackupError(RESTORE_ON_POSTGRES);
    const report = restoreDatabase({
      dataDir: sqliteDataDir(config),
      from: file,
      check: copyCheck(config.sqliteIntegrityCheck),
    });
    print(report, values.json, formatRestore(report));
  },
};
