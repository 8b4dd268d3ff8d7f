import type { Kysely } from "kysely";
import type { SettingsStore } from "../../domain/settings.js";
import type { Database } from "./schema.js";

const SHORT_DOMAIN = "short_domain";

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

  async findShortDomain(): Promise<string | undefined> {
    const row = await this.db
      .selectFrom("settings")
      .select("value")
      .where("name", "=", SHORT_DOMAIN)
      .executeTakeFirst();
    return row?.value;
  }

  async keepShortDomain(domain: string): Promise<string> {
    await this.db
      .insertInto("settings")
      .values({ name: SHORT_DOMAIN, value: domain })
      .onConflict((conflict) => conflict.column("name").doNothing())
      .execute();
    return (await this.findShortDomain()) ?? domain;
  }

  async replaceShortDomain(domain: string): Promise<void> {
    await this.db
      .insertInto("settings")
      .values({ name: SHORT_DOMAIN, value: domain })
      .onConflict((conflict) => conflict.column("name").doUpdateSet({ value: domain }))
      .execute();
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
