/**
 * SQLite transactions owned by the unit of work, not by TypeORM.
 *
 * Why not `dataSource.transaction()`: TypeORM 0.3's SQLite query runner keeps
 * its own count of open transactions. When SQLite ends a transaction by itself
 * (a COMMIT, or a statement, failing with SQLITE_FULL or SQLITE_IOERR rolls the
 * whole transaction back), TypeORM's ROLLBACK fails with "no transaction is
 * active", the error is swallowed and the count is never reset. From then on
 * every transaction is a SAVEPOINT; the first unit of work that fails leaves
 * its transaction open (ROLLBACK TO SAVEPOINT does not end it), every later
 * write lands inside that one transaction that never commits, and the one
 * shared connection sees its own uncommitted writes, so the API acknowledges
 * writes that a restart loses.
 *
 * Group commit: with `synchronous=FULL` every COMMIT syncs the write-ahead log,
 * and each transaction costs a BEGIN and a COMMIT on the one writer. The units
 * of work that queued up while one transaction held the writer therefore run
 * together in the next transaction (runBatch), each inside its own SAVEPOINT,
 * with one COMMIT for all of them. A unit queued alone runs alone, exactly as
 * `run` does (no savepoint, no waiting for company).
 *
 * The guarantees here:
 * - A transaction begins with BEGIN IMMEDIATE: it takes the write lock first,
 *   so another process holding the lock (a backup, the sqlite3 CLI) is waited
 *   out for the busy timeout. A deferred transaction that reads before it
 *   writes cannot upgrade its lock once another writer committed
 *   (SQLITE_BUSY_SNAPSHOT) and fails at once, busy handler or not.
 * - A unit of work succeeds only when the COMMIT of its transaction succeeded:
 *   acknowledged means committed. A failed COMMIT fails every unit of its batch
 *   with CommitFailedError.
 * - In a batch, a unit that throws is rolled back to its savepoint (ROLLBACK TO,
 *   RELEASE) and fails with its own error; the units before and after it go on
 *   and commit. When the savepoint is gone because SQLite ended the whole
 *   transaction by itself (SQLITE_FULL, SQLITE_IOERR), every unit of the batch
 *   that had not failed by itself fails with TransactionLostError and nothing is
 *   committed. Before the COMMIT the first surviving unit's savepoint is
 *   released: when that fails, the transaction was lost under a unit that
 *   swallowed the error (a later SAVEPOINT would have begun a new transaction),
 *   and the batch fails the same way instead of committing half of it.
 * - After any failed COMMIT, ROLLBACK or lost transaction the connection is
 *   brought back to autocommit before anything else runs: ROLLBACK, and when
 *   that fails with anything but "no transaction is active", the connection is
 *   closed (which rolls back whatever it had open) and opened again. A reopen
 *   that fails is tried again before the next unit of work.
 * - TypeORM's runner is told a transaction is open (depth 1) while each unit
 *   runs, so repository calls inside it (save, insert) do not start their own,
 *   and a nested `manager.transaction()` inside a unit becomes TypeORM's own
 *   SAVEPOINT typeorm_1 inside the unit's savepoint.
 */
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type sqlite3 from 'sqlite3';
import type { Logger } from '../logger';
import { StatementCache } from './statement-cache';

export type TransactionStatement = 'BEGIN IMMEDIATE' | 'COMMIT' | 'ROLLBACK';

/**
 * Test seam (fault injection): stands in for one transaction statement.
 * `execute` runs SQL on the real connection, so a fault can reproduce what
 * SQLite does on a full disk (roll back, then report SQLITE_FULL).
 */
export type StatementFault = (execute: (sql: string) => Promise<void>) => Promise<void>;

/** A COMMIT that failed: nothing of the unit of work is stored, and the client may retry. */
export class CommitFailedError extends Error {
  readonly code = 'COMMIT_FAILED';
  constructor(cause: unknown) {
    super(`COMMIT failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'CommitFailedError';
  }
}

/**
 * The batch's transaction ended under it (SQLite rolled it back by itself, or the
 * undo of a failed unit failed): nothing of the batch is stored, and the client may retry.
 */
export class TransactionLostError extends Error {
  readonly code = 'TRANSACTION_LOST';
  constructor(cause: unknown) {
    super(`the transaction was lost: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'TransactionLostError';
  }
}

/** How one unit of a batch ended: its result, or the error its caller gets. */
export type UnitOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export type TransactionalWork<T> = (manager: EntityManager) => Promise<T>;

/** What TypeORM's sqlite driver keeps of its one connection (not in its public types). */
interface SqliteDriverInternals {
  databaseConnection: { close(callback: (error: Error | null) => void): void };
  createDatabaseConnection(): Promise<SqliteDriverInternals['databaseConnection']>;
}

/** TypeORM's transaction bookkeeping on the runner (transactionDepth is protected in its types). */
interface RunnerBookkeeping {
  isTransactionActive: boolean;
  transactionDepth: number;
}

/**
 * Closes a data source's one SQLite connection (SQLite rolls back whatever it had open) and opens a
 * fresh one in its place, keeping the data source and its metadata.
 */
export async function reopenSqliteConnection(dataSource: DataSource, logger: Logger): Promise<void> {
  const driver = dataSource.driver as unknown as SqliteDriverInternals;
  const stale = driver.databaseConnection;
  // SQLite refuses to close a connection with statements outstanding.
  await StatementCache.disposeOf(stale as unknown as sqlite3.Database);
  await new Promise<void>((resolve) =>
    stale.close((error) => {
      if (error) logger.warn('closing the stale SQLite connection failed', { error });
      resolve();
    }),
  );
  driver.databaseConnection = await driver.createDatabaseConnection();
}

function batchSavepoint(index: number): string {
  return `group_unit_${index}`;
}

function isNoActiveTransaction(error: unknown): boolean {
  return /no transaction is active/i.test((error as Error)?.message ?? '');
}

function isNestedTransaction(error: unknown): boolean {
  return /cannot start a transaction within a transaction/i.test((error as Error)?.message ?? '');
}

export class SqliteTransactions {
  private readonly faults = new Map<TransactionStatement, StatementFault>();
  /** Set when a reopen failed: the connection must be opened before the next unit of work. */
  private needsReopen = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly configureConnection: () => Promise<void>,
    private readonly logger: Logger,
  ) {}

  /** Runs `work` in one transaction; resolves only after its COMMIT succeeded. Callers serialize. */
  async run<T>(work: TransactionalWork<T>): Promise<T> {
    await this.ensureOpen();
    const runner = this.runner();
    await this.begin(runner);
    let result: T;
    try {
      result = await work(runner.manager);
    } catch (error) {
      await this.backToAutocommit(runner, 'the unit of work failed', error);
      throw error;
    }
    try {
      await this.statement('COMMIT');
    } catch (error) {
      this.logger.error('COMMIT failed; nothing of this unit of work is stored', { error });
      await this.backToAutocommit(runner, 'COMMIT failed', error);
      throw new CommitFailedError(error);
    }
    this.markTransaction(runner, false);
    return result;
  }

  /**
   * Runs `works` in order in ONE transaction, each in its own savepoint, with one COMMIT
   * (group commit; the guarantees at the top of this file). Never throws: one outcome per unit,
   * in order. A batch of one is exactly `run`. Callers serialize.
   */
  async runBatch<T>(works: readonly TransactionalWork<T>[]): Promise<UnitOutcome<T>[]> {
    if (works.length === 1) {
      try {
        await this.ensureOpen();
        return [{ ok: true, value: await this.run(works[0]) }];
      } catch (error) {
        return [{ ok: false, error }];
      }
    }
    const outcomes: UnitOutcome<T>[] = [];
    try {
      await this.ensureOpen();
      const runner = this.runner();
      await this.begin(runner);
      for (const [index, work] of works.entries()) outcomes.push(await this.runUnit(runner, index, work));
      await this.commitBatch(runner, outcomes);
      return outcomes;
    } catch (error) {
      // Nothing of the batch is stored: the units that had not failed by themselves (or never ran) get the batch's error.
      return works.map((_, index) => {
        const outcome = outcomes[index];
        return outcome && !outcome.ok ? outcome : { ok: false, error };
      });
    }
  }

  /** One unit of a batch inside its savepoint; throws only when the batch's transaction is gone. */
  private async runUnit<T>(runner: QueryRunner, index: number, work: TransactionalWork<T>): Promise<UnitOutcome<T>> {
    const savepoint = batchSavepoint(index);
    await this.inTransaction(runner, `SAVEPOINT ${savepoint}`, 'SAVEPOINT failed');
    try {
      const value = await work(runner.manager);
      this.markTransaction(runner, true);
      return { ok: true, value };
    } catch (error) {
      // A nested TypeORM transaction the unit left open is undone with the unit's savepoint.
      this.markTransaction(runner, true);
      await this.inTransaction(runner, `ROLLBACK TO ${savepoint}`, 'a unit of a batch failed and its savepoint is gone', error);
      await this.inTransaction(runner, `RELEASE ${savepoint}`, 'releasing a failed unit failed', error);
      return { ok: false, error };
    }
  }

  /** Proves the batch's transaction is still the one BEGIN opened, then COMMITs it. */
  private async commitBatch(runner: QueryRunner, outcomes: readonly UnitOutcome<unknown>[]): Promise<void> {
    const first = outcomes.findIndex((outcome) => outcome.ok);
    // A SAVEPOINT after a lost transaction begins a new one: only the first survivor's savepoint proves the old one lives.
    if (first >= 0) await this.inTransaction(runner, `RELEASE ${batchSavepoint(first)}`, 'the transaction of a batch ended before its COMMIT');
    try {
      await this.statement('COMMIT');
    } catch (error) {
      this.logger.error('COMMIT failed; nothing of this batch of units of work is stored', { error, units: outcomes.length });
      await this.backToAutocommit(runner, 'COMMIT failed', error);
      throw new CommitFailedError(error);
    }
    this.markTransaction(runner, false);
  }

  /** A statement of the batch's own; when it fails the transaction is lost: back to autocommit, TransactionLostError. */
  private async inTransaction(runner: QueryRunner, sql: string, why: string, cause?: unknown): Promise<void> {
    try {
      await runner.query(sql);
    } catch (error) {
      this.logger.error(`${why}; nothing of this batch is stored`, { error, cause });
      await this.backToAutocommit(runner, why, error);
      throw new TransactionLostError(cause ?? error);
    }
  }

  /** Opens the connection again if the last reopen failed (reads call this too). */
  async ensureOpen(): Promise<void> {
    if (this.needsReopen) await this.reopen();
  }

  /**
   * Test seam: every `statement` runs `fault` instead of the real statement
   * until the returned function is called (the fault "clears").
   */
  injectFault(statement: TransactionStatement, fault: StatementFault): () => void {
    this.faults.set(statement, fault);
    return () => {
      if (this.faults.get(statement) === fault) this.faults.delete(statement);
    };
  }

  private runner(): QueryRunner {
    // The sqlite driver hands out its one shared runner every time.
    return this.dataSource.createQueryRunner();
  }

  private async begin(runner: QueryRunner): Promise<void> {
    try {
      await this.statement('BEGIN IMMEDIATE');
    } catch (error) {
      // Never expected: a transaction left open by code outside this seam. Close it, then begin once more.
      if (!isNestedTransaction(error)) throw error;
      this.logger.error('a transaction was left open on the SQLite connection; rolling it back', { error });
      await this.backToAutocommit(runner, 'a transaction was left open', error);
      await this.statement('BEGIN IMMEDIATE');
    }
    this.markTransaction(runner, true);
  }

  /**
   * Ends whatever transaction SQLite may still have open; never throws (the
   * caller reports its own error). "no transaction is active" means SQLite
   * already rolled back by itself (SQLITE_FULL, SQLITE_IOERR); any other
   * failure of the ROLLBACK leaves the state unknown, so the connection is
   * closed (SQLite rolls back what it had open) and opened afresh.
   */
  private async backToAutocommit(runner: QueryRunner, why: string, cause: unknown): Promise<void> {
    try {
      await this.statement('ROLLBACK');
    } catch (error) {
      if (!isNoActiveTransaction(error)) {
        this.logger.error(`ROLLBACK failed (${why}); reopening the SQLite connection`, { error, cause });
        await this.reopenQuietly();
      }
    }
    this.markTransaction(runner, false);
  }

  private async reopenQuietly(): Promise<void> {
    try {
      await this.reopen();
    } catch (error) {
      this.logger.error('reopening the SQLite connection failed; retrying before the next unit of work', { error });
    }
  }

  /** Closes the connection (SQLite rolls back what it had open) and opens a fresh one. */
  private async reopen(): Promise<void> {
    // A throwaway in-memory database would be emptied by a reopen: keep the connection and say so.
    if ((this.dataSource.options as { database?: string }).database === ':memory:') {
      this.logger.error('the in-memory SQLite connection may still hold an open transaction; not reopening it (its data would be lost)');
      return;
    }
    this.needsReopen = true;
    await reopenSqliteConnection(this.dataSource, this.logger);
    await this.configureConnection();
    this.needsReopen = false;
    this.logger.warn('reopened the SQLite connection');
  }

  private markTransaction(runner: QueryRunner, open: boolean): void {
    const bookkeeping = runner as unknown as RunnerBookkeeping;
    bookkeeping.isTransactionActive = open;
    bookkeeping.transactionDepth = open ? 1 : 0;
  }

  private async statement(sql: TransactionStatement): Promise<void> {
    const execute = async (text: string) => {
      await this.runner().query(text);
    };
    const fault = this.faults.get(sql);
    if (fault) return fault(execute);
    await execute(sql);
  }
}
