import type { Kysely } from "kysely";
import { createWebhookTables } from "../webhook-tables.js";

export async function up(db: Kysely<unknown>): Promise<void> {
  await createWebhookTables(db, { bigint: "BIGINT" });
}
