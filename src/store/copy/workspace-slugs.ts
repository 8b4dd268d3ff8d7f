import { type Kysely, sql } from "kysely";
import { numberedSlug } from "../../domain/workspaces/slug.js";
import type { Database } from "../sql/schema.js";

/**
 * Workspace slugs are unique across an install. A source workspace whose slug a workspace of the target's own
 * already has (a forced copy into an install that has workspaces of its own, both first started as "Default
 * workspace") takes the first numbered alternative that no other workspace has: the same choice on every run, so a
 * rerun changes nothing.
 */
export async function withFreeSlugs(
  db: Kysely<Database>,
  columns: string[],
  rows: unknown[][],
): Promise<unknown[][]> {
  const idAt = columns.indexOf("id");
  const slugAt = columns.indexOf("slug");
  if (idAt < 0 || slugAt < 0) return rows;
  const owner = new Map<string, string>(rows.map((row) => [String(row[slugAt]), String(row[idAt])]));
  const { rows: existing } = await sql<{ id: string; slug: string }>`SELECT id, slug FROM workspaces`.execute(
    db,
  );
  for (const row of existing) owner.set(row.slug, row.id);
  return rows.map((row) => {
    const id = String(row[idAt]);
    const slug = String(row[slugAt]);
    const free = (candidate: string) => (owner.get(candidate) ?? id) === id;
    if (free(slug)) return row;
    let n = 2;
    while (!free(numberedSlug(slug, n))) n++;
    const renamed = numberedSlug(slug, n);
    owner.set(renamed, id);
    const copy = [...row];
    copy[slugAt] = renamed;
    return copy;
  });
}
