import { type RawBuilder, type SqlBool, sql } from "kysely";
import type { IdFilter } from "../../domain/events/model.js";

/**
 * Conditions on a link row aliased `l`: it carries any of `tags` (or, excluding, none of them), it is in any of
 * `folders` (or, excluding, in none of them, which a link in no folder is).
 */
export function tagAndFolderConditions(
  workspaceId: string,
  filter: { tags?: IdFilter; folders?: IdFilter },
): RawBuilder<SqlBool>[] {
  const conditions: RawBuilder<SqlBool>[] = [];
  const list = (ids: string[]) => sql.join(ids.length > 0 ? ids : [""]);
  if (filter.tags) {
    const tagged = sql`select lt.link_id from link_tags lt where lt.workspace_id = ${workspaceId} and lt.tag_id in (${list(filter.tags.ids)})`;
    conditions.push(filter.tags.exclude ? sql`l.id not in (${tagged})` : sql`l.id in (${tagged})`);
  }
  if (filter.folders) {
    const folders = list(filter.folders.ids);
    conditions.push(
      filter.folders.exclude
        ? sql`(l.folder_id is null or l.folder_id not in (${folders}))`
        : sql`l.folder_id in (${folders})`,
    );
  }
  return conditions;
}
