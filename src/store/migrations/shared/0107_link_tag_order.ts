import { type Kysely, sql } from "kysely";
import type { Engine } from "../shared-migration.js";

/**
 * A link's tags keep the order they were given in (Dub answers them so, `tagId` being the first): `link_tags` gets
 * a `position`. Rows written before it read 0, so a link tagged earlier keeps showing its tags by name.
 */
export async function up(db: Kysely<unknown>, _engine: Engine): Promise<void> {
  await sql`ALTER TABLE link_tags ADD COLUMN position INTEGER NOT NULL DEFAULT 0`.execute(db);
}
