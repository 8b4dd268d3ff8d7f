import type { Kysely, Migration } from "kysely";

export type Engine = "sqlite" | "postgres";

/**
 * One schema change, written once for both engines (ADR 15). `engine` is there for the statements that differ
 * (a column type, a partition, `WITHOUT ROWID`); everything else is shared.
 */
export type SharedMigration = {
  up(db: Kysely<unknown>, engine: Engine): Promise<void>;
  down?(db: Kysely<unknown>, engine: Engine): Promise<void>;
};

/** The first number of a shared migration: `0100_…` sorts after every legacy name (`0001_…` to `0005_…`). */
export const FIRST_SHARED_NUMBER = 100;

const SHARED_NAME = /^(\d{4})_[a-z0-9]+(?:_[a-z0-9]+)*$/;

export class MigrationListError extends Error {}

/**
 * The migrations one engine runs, in the order kysely runs them: its closed legacy history, then every shared
 * migration bound to the engine. Refuses a list in which a shared migration would not sort after the history, or
 * two shared migrations share a number (two branches that each took the next one).
 */
export function migrationsFor(
  engine: Engine,
  legacy: Record<string, Migration>,
  shared: Record<string, SharedMigration>,
): Record<string, Migration> {
  const lastLegacy = Object.keys(legacy).sort().at(-1) ?? "";
  const numbers = new Map<string, string>();
  const bound: [string, Migration][] = Object.entries(shared).map(([name, migration]) => {
    const number = SHARED_NAME.exec(name)?.[1];
    if (number === undefined || Number(number) < FIRST_SHARED_NUMBER || name <= lastLegacy) {
      throw new MigrationListError(
        `Shared migration ${name}: name it NNNN_what_it_does (lowercase, digits, underscores) with NNNN from ` +
          `${String(FIRST_SHARED_NUMBER).padStart(4, "0")} on, so that it sorts after ${lastLegacy}.`,
      );
    }
    const taken = numbers.get(number);
    if (taken) throw new MigrationListError(`Shared migrations ${taken} and ${name} have the same number.`);
    numbers.set(number, name);
    const { up, down } = migration;
    return [
      name,
      { up: (db) => up(db, engine), ...(down && { down: (db: Kysely<unknown>) => down(db, engine) }) },
    ];
  });
  return Object.fromEntries([...Object.entries(legacy), ...bound].sort(([a], [b]) => (a < b ? -1 : 1)));
}
