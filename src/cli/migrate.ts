import { type Command, print, withStorage } from "./shared.js";

export const migrate: Command = {
  name: "migrate",
  usage: "migrate [--json]                        apply pending database migrations and exit",
  options: {},
  async run({ values }) {
    const applied = await withStorage(async (storage) => storage.appliedMigrations, { migrate: true });
    print(
      { applied },
      values.json,
      applied.length ? `Applied ${applied.join(", ")}` : "The schema is up to date.",
    );
  },
};
