import type { Kysely } from "kysely";
import type { SettingsStore } from "../../domain/settings.js";
import type { Database } from "./schema.js";

export class SqlSettingsStore implements SettingsStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(name: "visitor_hash_secret"): Promise<string> {
    const row = await this.db
      .selectFrom("settings")
      .select("value")
      .where("name", "=", name)
      .executeTakeFirst();
    if (!row) throw new Error(`setting ${name} is missing: the database was not migrated`);
    return row.value;
  }

  async writeProbe(at: number): Promise<void> {
    const value = new Date(at).toISOString();
    await this.db
      .insertInto("settings")
      .values({ name: "readiness_probe", value })
      .onConflict((conflict) => conflict.column("name").doUpdateSet({ value }))
      .execute();
  }
}
