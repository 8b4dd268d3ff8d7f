import type SQLite from "better-sqlite3";
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  SelectQueryNode,
  SqliteDriver,
} from "kysely";

/** How many transactions one commit may carry, and how long the first of them may wait for it. */
/** Transactions committed, and the commits that carried them. */
export type CommitUsage = { transactions: number; commits: number };

type GroupCommitLimits = { maxTransactions: number; maxWaitMs: number };

const DEFAULT_LIMITS: GroupCommitLimits = { maxTransactions: 64, maxWaitMs: 20 };

type Group = {
  transactions: number;
  startedAt: number;
  done: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
};

/**
 * Group commit for the one SQLite connection (ADR 29). Each transaction runs, as before, alone on the connection,
 * but inside a savepoint of a longer transaction: its COMMIT releases the savepoint, lets the next holder of the
 * connection in, and waits until the longer transaction commits. That commit (one fsync for all of them) happens
 * at the end of the event loop's turn once nobody waits for the connection, or when the group is full or old.
 * A transaction that fails rolls back its own savepoint only; if SQLite aborted the whole transaction (disk full,
 * I/O error), every transaction of the group fails with that error. A write outside any transaction commits the
 * open group first, so it is durable when it returns, as before; a read sees what the group wrote, which its
 * writers are told only once it is committed.
 */
export class GroupCommitDriver implements Driver {
  private readonly driver: SqliteDriver;
  private readonly statements = new Map<string, SQLite.Statement>();
  private group: Group | null = null;
  private held = false;
  private waiting = 0;
  private commitScheduled = false;
  /** The turn that opened the group has ended: the next release commits it, whoever waits. */
  private commitDue = false;
  private lastError: unknown = null;
  private transactions = 0;
  private commits = 0;

  private readonly alsoClosed: (() => Promise<void>)[] = [];

  constructor(
    private readonly database: SQLite.Database,
    private readonly limits: GroupCommitLimits = DEFAULT_LIMITS,
  ) {
    this.driver = new SqliteDriver({ database });
    writers.set(database.name, (writers.get(database.name) ?? 0) + 1);
  }

  init(): Promise<void> {
    return this.driver.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    this.waiting++;
    try {
      const connection = await this.driver.acquireConnection();
      this.held = true;
      return new Lease(connection, this);
    } finally {
      this.waiting--;
    }
  }

  async beginTransaction(lease: DatabaseConnection): Promise<void> {
    if (this.group && !this.database.inTransaction) this.fail(this.group);
    if (!this.group) {
      this.run("begin");
      this.group = newGroup();
    }
    this.run("savepoint clicktrail_tx");
    (lease as Lease).inTransaction = true;
  }

  async commitTransaction(lease: DatabaseConnection): Promise<void> {
    const group = this.group as Group;
    this.run("release clicktrail_tx");
    (lease as Lease).inTransaction = false;
    group.transactions++;
    this.transactions++;
    await this.releaseConnection(lease);
    await group.done;
  }

  async rollbackTransaction(lease: DatabaseConnection): Promise<void> {
    // After its commit was attempted the savepoint is no longer this lease's: the connection has moved on.
    if (!(lease as Lease).inTransaction) return;
    (lease as Lease).inTransaction = false;
    if (!this.group) return;
    if (this.database.inTransaction) {
      this.run("rollback to clicktrail_tx");
      this.run("release clicktrail_tx");
    } else {
      this.fail(this.group);
    }
  }

  async releaseConnection(lease: DatabaseConnection): Promise<void> {
    const held = lease as Lease;
    if (held.released) return;
    held.released = true;
    this.held = false;
    const group = this.group;
    if (group) {
      const full =
        group.transactions >= this.limits.maxTransactions ||
        Date.now() - group.startedAt >= this.limits.maxWaitMs;
      if (full || this.commitDue) this.commitGroup();
      else if (this.waiting === 0) {
        if ((writers.get(this.database.name) ?? 0) > 1) this.commitGroup();
        else this.scheduleCommit();
      }
    }
    await this.driver.releaseConnection();
  }

  /**
   * Requests whose bytes arrived together are handled in one turn of the event loop, and SQLite answers without
   * leaving it; so the commit waits for the turn's end, when their transactions have joined the group.
   */
  private scheduleCommit(): void {
    if (this.commitScheduled) return;
    this.commitScheduled = true;
    setImmediate(() => {
      this.commitScheduled = false;
      if (!this.group) return;
      if (this.held || this.waiting > 0) this.commitDue = true;
      else this.commitGroup();
    });
  }

  /** Something else that reads this file (the column scan threads), closed before the connection. */
  closeWith(close: () => Promise<void>): void {
    this.alsoClosed.push(close);
  }

  async destroy(): Promise<void> {
    await Promise.all(this.alsoClosed.map((close) => close()));
    if (this.group) this.commitGroup();
    const others = (writers.get(this.database.name) ?? 1) - 1;
    if (others > 0) writers.set(this.database.name, others);
    else writers.delete(this.database.name);
    await this.driver.destroy();
  }

  /** Transactions committed, and the commits that carried them. */
  stats(): CommitUsage {
    return { transactions: this.transactions, commits: this.commits };
  }

  /** Called by a lease before a statement that writes outside any transaction. */
  commitBeforeWrite(): void {
    if (this.group) this.commitGroup();
  }

  noteError(error: unknown): void {
    this.lastError = error;
  }

  private commitGroup(): void {
    const group = this.group as Group;
    this.group = null;
    this.commitDue = false;
    if (!this.database.inTransaction) {
      this.fail(group);
      return;
    }
    try {
      this.run("commit");
      this.commits++;
      group.resolve();
    } catch (error) {
      if (this.database.inTransaction) this.run("rollback");
      group.reject(error);
    }
  }

  /** SQLite rolled the whole transaction back: nothing the group wrote is kept. */
  private fail(group: Group): void {
    if (this.group === group) {
      this.group = null;
      this.commitDue = false;
    }
    group.reject(this.lastError ?? new Error("SQLite rolled back the transaction"));
    this.lastError = null;
  }

  private run(statement: string): void {
    this.database.exec(statement);
  }

  /** better-sqlite3 prepares a statement anew on every call; the last few hundred are kept instead. */
  statement(text: string): SQLite.Statement {
    const cached = this.statements.get(text);
    if (cached) {
      this.statements.delete(text);
      this.statements.set(text, cached);
      return cached;
    }
    const prepared = this.database.prepare(text);
    this.statements.set(text, prepared);
    if (this.statements.size > STATEMENT_CACHE_SIZE)
      this.statements.delete(this.statements.keys().next().value as string);
    return prepared;
  }
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Connections of this process per database file. With two (two servers on one file in a test process), a group
 * is committed as soon as nobody waits rather than at the turn's end: the other connection, waiting for the write
 * lock in SQLite's busy handler, would block the thread that has to commit.
 */
const writers = new Map<string, number>();

function newGroup(): Group {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const done = new Promise<void>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  // A group nobody waits on (all its transactions rolled back) must not surface as an unhandled rejection.
  done.catch(() => {});
  return { transactions: 0, startedAt: Date.now(), done, resolve, reject };
}

/** One holder's use of the connection, so that a release is counted once and writes know where they stand. */
class Lease implements DatabaseConnection {
  inTransaction = false;
  released = false;

  constructor(
    private readonly connection: DatabaseConnection,
    private readonly driver: GroupCommitDriver,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (!this.inTransaction && !SelectQueryNode.is(query.query)) this.driver.commitBeforeWrite();
    try {
      const statement = this.driver.statement(query.sql);
      const parameters = query.parameters as unknown[];
      if (statement.reader) return { rows: statement.all(parameters) as R[] };
      const { changes, lastInsertRowid } = statement.run(parameters);
      return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
    } catch (error) {
      this.driver.noteError(error);
      throw error;
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.connection.streamQuery<R>(query, chunkSize);
  }
}
