import { UniqueViolation } from "../../domain/errors.js";

/**
 * Recognises a unique-constraint failure from SQLite ("UNIQUE constraint failed: links.domain, links.key")
 * or PostgreSQL (code 23505 with the index name) and names it with one of `targets`, matched by its columns.
 */
export function asUniqueViolation(error: unknown, targets: Record<string, string[]>): unknown {
  const e = error as { code?: string; message?: string; constraint?: string };
  const isUnique =
    e?.code === "SQLITE_CONSTRAINT_UNIQUE" ||
    e?.code === "SQLITE_CONSTRAINT_PRIMARYKEY" ||
    e?.code === "23505";
  if (!isUnique) return error;
  const text = `${e.constraint ?? ""} ${e.message ?? ""}`;
  for (const [target, columns] of Object.entries(targets)) {
    if (columns.every((column) => text.includes(column))) return new UniqueViolation(target);
  }
  return new UniqueViolation("unknown");
}
