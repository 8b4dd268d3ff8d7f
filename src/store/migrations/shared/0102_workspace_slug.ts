import { type Kysely, sql } from "kysely";
import type { Engine } from "../shared-migration.js";

/**
 * Workspaces get a `slug`, unique across the install (Dub's `GET/PATCH /workspaces/{idOrSlug}`), backfilled from
 * each name in creation order: "Default workspace" → "default-workspace", a second one "default-workspace-2", a
 * name whose slug would be shorter than three characters → "workspace". Frozen with this migration: the live rule is
 * src/domain/workspaces/slug.ts. SQLite cannot add a NOT NULL column without a default, so there the store keeps it
 * set; PostgreSQL enforces it.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  await sql`ALTER TABLE workspaces ADD COLUMN slug TEXT`.execute(db);
  const { rows } = await sql<{ id: string; name: string }>`
    SELECT id, name FROM workspaces ORDER BY created_at, id`.execute(db);
  const taken = new Set<string>();
  for (const row of rows) {
    const base = slugOf(row.name);
    let slug = base;
    for (let n = 2; taken.has(slug); n++) slug = numbered(base, n);
    taken.add(slug);
    await sql`UPDATE workspaces SET slug = ${slug} WHERE id = ${row.id}`.execute(db);
  }
  await sql`CREATE UNIQUE INDEX workspaces_slug ON workspaces (slug)`.execute(db);
  if (engine === "postgres") await sql`ALTER TABLE workspaces ALTER COLUMN slug SET NOT NULL`.execute(db);
}

const MAX = 48;

function slugOf(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, MAX)
    .replace(/^-+|-+$/g, "");
  return slug.length >= 3 ? slug : "workspace";
}

function numbered(slug: string, n: number): string {
  const suffix = `-${n}`;
  return `${slug.slice(0, MAX - suffix.length).replace(/-+$/, "")}${suffix}`;
}
