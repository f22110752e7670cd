/**
 * Read-only SQLite connections beside the one that writes, so reads never
 * wait behind writes in the unit of work's queue.
 *
 * The guarantees here:
 * - Readers see committed rows only. Each reader is its own SQLite
 *   connection opened read-only (SQLITE_OPEN_READONLY), and SQLite in WAL
 *   mode gives a connection outside the writer's transaction the database as
 *   of the last COMMIT: never a row of a transaction still open (or one that
 *   failed to commit), whatever the writer does meanwhile.
 * - Read-your-writes: a write is acknowledged after its COMMIT, and a read
 *   begun after a COMMIT sees it (a WAL reader starts at the latest commit).
 * - A reader is held by one unit at a time (FIFO when all are busy), so a
 *   snapshot's BEGIN ... COMMIT holds one moment for all its statements and
 *   nothing else runs inside it.
 * - No exclusive locking: the backup and restore commands and the member CLI
 *   still share the file (a reader holds the same shared lock as the writer).
 * - PRAGMAs read and set the database's settings, which live on the
 *   connection that writes (synchronous, max_page_count): sent through a
 *   reader's manager they run on the writer, in its turn of the queue.
 */
import sqlite3 from 'sqlite3';
import { DataSource, EntityManager } from 'typeorm';
import type { SqliteConnectionOptions } from 'typeorm/driver/sqlite/SqliteConnectionOptions';
import type { Logger } from '../logger';
import { reopenSqliteConnection } from './sqlite-transactions';
import { bindNumericParameters } from './sqlite-parameters';
import { sqliteConnectionOf, StatementCache } from './statement-cache';

/** Runs one statement on the writer connection, in its turn of the queue. */
export type WriterStatement = (sql: string, parameters?: unknown[]) => Promise<unknown>;

/** A reader's manager: entity reads on its own connection, PRAGMAs on the writer. */
class ReaderManager extends EntityManager {
  constructor(
    connection: DataSource,
    private readonly onWriter: WriterStatement,
  ) {
    super(connection);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- TypeORM's own signature
  override query<T = any>(sql: string, parameters?: any[]): Promise<T> {
    if (/^\s*PRAGMA\b/i.test(sql)) return this.onWriter(sql, parameters) as Promise<T>;
    return super.query<T>(sql, parameters);
  }
}

interface Reader {
  source: DataSource;
  manager: ReaderManager;
  /** Its SELECTs' prepared statements (statement-cache.ts), finalized before the connection closes. */
  statements: StatementCache;
  /** Set when a failed ROLLBACK left its state unknown and reopening it failed: reopened before its next use. */
  needsReopen: boolean;
}

function isNoActiveTransaction(error: unknown): boolean {
  return /no transaction is active/i.test((error as Error)?.message ?? '');
}

export class SqliteReaders {
  private readonly free: Reader[];
  private readonly waiters: Array<(reader: Reader) => void> = [];
  private busy = 0;
  private whenIdle: Array<() => void> = [];

  private constructor(
    private readonly readers: Reader[],
    private readonly logger: Logger,
    /** How long each unit waited for a free reader (metrics). */
    private readonly onWaited: (ms: number) => void,
  ) {
    this.free = [...readers];
  }

  /** Opens `count` read-only connections on the writer's file (which the writer has created and put in WAL mode). */
  static async open(writer: DataSource, count: number, onWriter: WriterStatement, logger: Logger, onWaited: (ms: number) => void): Promise<SqliteReaders> {
    const options: SqliteConnectionOptions = {
      ...(writer.options as SqliteConnectionOptions),
      // Read-only at the file level: a bug that writes through a reader fails instead of bypassing the unit of work.
      flags: sqlite3.OPEN_READONLY,
      // WAL is a property of the file, set by the writer; a read-only connection cannot set it.
      enableWAL: false,
      migrations: [],
      migrationsRun: false,
      synchronize: false,
    };
    const readers: Reader[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const source = new DataSource(options);
        bindNumericParameters(source);
        await source.initialize();
        readers.push({
          source,
          manager: new ReaderManager(source, onWriter),
          statements: StatementCache.install(sqliteConnectionOf(source)),
          needsReopen: false,
        });
      }
    } catch (error) {
      await Promise.all(readers.map(async (reader) => (await reader.statements.dispose(), await reader.source.destroy())));
      throw error;
    }
    return new SqliteReaders(readers, logger, onWaited);
  }

  /** Prepared statements the readers keep, all together (tests; statement-cache.ts). */
  get statementsKept(): number {
    return this.readers.reduce((sum, reader) => sum + reader.statements.size, 0);
  }

  /** Units waiting for a free reader. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** A read outside any transaction, on a reader of its own. */
  read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.holding((reader) => work(reader.manager));
  }

  /** Several reads that show one moment: one read transaction on a reader held alone. */
  snapshot<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.holding(async (reader) => {
      // DEFERRED: a read transaction, its snapshot taken by its first SELECT; it never takes the write lock.
      await reader.source.query('BEGIN DEFERRED');
      let result: T;
      try {
        result = await work(reader.manager);
        await reader.source.query('COMMIT');
      } catch (error) {
        await this.rollback(reader, error);
        throw error;
      }
      return result;
    });
  }

  /** Resolves once no reader is in use. */
  idle(): Promise<void> {
    if (this.busy === 0 && this.waiters.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.whenIdle.push(resolve));
  }

  /** Waits for the reads in flight, then closes every reader. */
  async close(): Promise<void> {
    await this.idle();
    for (const reader of this.readers) {
      await reader.statements.dispose();
      if (reader.source.isInitialized) await reader.source.destroy();
    }
  }

  private async holding<T>(use: (reader: Reader) => Promise<T>): Promise<T> {
    const reader = await this.acquire();
    try {
      if (reader.needsReopen) await this.reopen(reader);
      return await use(reader);
    } finally {
      this.release(reader);
    }
  }

  private acquire(): Promise<Reader> {
    this.busy++;
    const reader = this.free.pop();
    if (reader) {
      this.onWaited(0); // every unit is observed once, as in the writer's queue
      return Promise.resolve(reader);
    }
    const queuedAt = performance.now();
    return new Promise((resolve) =>
      this.waiters.push((handed) => {
        this.onWaited(performance.now() - queuedAt);
        resolve(handed);
      }),
    );
  }

  private release(reader: Reader): void {
    this.busy--;
    const next = this.waiters.shift();
    if (next) {
      next(reader);
      return;
    }
    this.free.push(reader);
    if (this.busy === 0) for (const resolve of this.whenIdle.splice(0)) resolve();
  }

  /**
   * Ends the read transaction; "no transaction is active" means SQLite ended it already. Any other
   * failure leaves its state unknown: the connection is closed (which ends it) and opened again.
   */
  private async rollback(reader: Reader, cause: unknown): Promise<void> {
    try {
      await reader.source.query('ROLLBACK');
    } catch (error) {
      if (isNoActiveTransaction(error)) return;
      this.logger.error('ROLLBACK of a read transaction failed; reopening that reader', { error, cause });
      try {
        await this.reopen(reader);
      } catch (reopenError) {
        this.logger.error('reopening a SQLite reader failed; retrying before its next use', { error: reopenError });
      }
    }
  }

  private async reopen(reader: Reader): Promise<void> {
    reader.needsReopen = true;
    await reader.statements.dispose();
    await reopenSqliteConnection(reader.source, this.logger);
    reader.statements = StatementCache.install(sqliteConnectionOf(reader.source));
    reader.needsReopen = false;
  }
}
