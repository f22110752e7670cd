/**
 * The one path to the database: every unit of work goes through here.
 *
 * TypeORM's SQLite driver shares ONE connection for the whole process
 * (PITFALLS: "we have only one query runner in sqlite"). Anything sent on it
 * while a transaction is open becomes part of that transaction, so a request
 * that rolls back would erase other requests' committed writes. We therefore
 * run every write, and every read sent on that connection, through one FIFO
 * queue on SQLite; units of work never overlap. Reads outside a write go to a
 * small pool of read-only connections instead (src/db/sqlite-readers.ts: WAL
 * serves them beside the writer, committed rows only), so they never wait
 * behind writes; with no readers (SQLITE_READERS=0, or a `:memory:` database,
 * which is private to its one connection) they take their turn in the queue.
 * On a pooled driver (PostgreSQL) the queue is not needed and work runs
 * concurrently.
 *
 * Writes collect domain events and publish them only after the commit.
 * A write resolves only once its COMMIT succeeded: on SQLite the unit of work
 * owns BEGIN IMMEDIATE / COMMIT / ROLLBACK (src/db/sqlite-transactions.ts
 * says why TypeORM's own transactions lose writes after a failed COMMIT).
 * The writes queued while the writer is busy share one transaction and one
 * COMMIT (group commit, src/db/writer-queue.ts); each still succeeds or fails
 * on its own, and resolves and publishes only after that COMMIT, in queue order.
 */
import { DataSource, EntityManager } from 'typeorm';
import { ServiceUnavailableError } from '../graphql/errors';
import type { Logger } from '../logger';
import type { BusEvent } from '../realtime/domain-events';
import { isDatabaseUnavailable, isRetryableConflict } from './dialect';
import { SqliteReaders } from './sqlite-readers';
import { sqliteConnectionOf, StatementCache } from './statement-cache';
import { CommitFailedError, SqliteTransactions, StatementFault, TransactionalWork, TransactionLostError, TransactionStatement } from './sqlite-transactions';
import { WriteEndedListeners } from './write-listeners';
import { WriterQueue } from './writer-queue';

/** Bytes the health probe writes while writes are failing (see probeWrite). */
const PROBE_BYTES = 65_536;

/** Attempts of a transaction that lost a deadlock or serialization race (PostgreSQL). */
const MAX_ATTEMPTS = 4;

export interface UnitOfWork<E extends BusEvent = BusEvent> {
  manager: EntityManager;
  /** Queue an event to publish once this transaction has committed. */
  publishAfterCommit(event: E): void;
}

/**
 * SQLite's durability setting, applied to every connection: FULL syncs the
 * write-ahead log at every COMMIT, so a transaction acknowledged before a
 * power loss is still there after it (NORMAL could lose the last ones).
 */
export const SQLITE_SYNCHRONOUS = 'FULL';

/**
 * Where the unit of work reports its queue (metrics, src/app/metrics.ts): how
 * long each unit waited for its turn on the SQLite connection. Plain callbacks,
 * so this layer knows nothing of a metrics library.
 */
export interface UnitOfWorkObserver {
  waited(ms: number): void;
}

export interface DatabaseOptions {
  /** Read-only SQLite connections beside the writer (SQLITE_READERS); 0: every read takes its turn in the writer's queue. */
  sqliteReaders?: number;
}

/**
 * A database that cannot serve (busy, locked, full, unreachable), a failed COMMIT and a lost
 * transaction are the client's SERVICE_UNAVAILABLE (retryable), not an internal error.
 */
function clientError(error: unknown): unknown {
  const unavailable = error instanceof CommitFailedError || error instanceof TransactionLostError || isDatabaseUnavailable(error);
  return unavailable ? Object.assign(new ServiceUnavailableError(), { cause: error }) : error;
}

/** The health probe's write: PROBE_BYTES of random bytes into the one row of health_probe. */
function probeWriteSql(postgres: boolean): string {
  return postgres
    ? `INSERT INTO health_probe (id, probed_at, payload) VALUES (1, $1, decode(repeat(md5(random()::text), ${PROBE_BYTES / 16}), 'hex'))
       ON CONFLICT (id) DO UPDATE SET probed_at = EXCLUDED.probed_at, payload = EXCLUDED.payload`
    : `INSERT INTO health_probe (id, probed_at, payload) VALUES (1, ?, randomblob(${PROBE_BYTES}))
       ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at, payload = excluded.payload`;
}

/** `E`: the events units of work publish after commit (the domain's, src/modules/events.ts). */
export class Database<E extends BusEvent = BusEvent> {
  /** The FIFO queue in front of the SQLite writer, with group commit (null on pooled drivers). */
  private readonly queue: WriterQueue | null;
  private observer: UnitOfWorkObserver | null = null;
  /** When a unit of work last succeeded (ms): proof of life without queueing a ping behind busy writers. */
  lastSuccessAt = 0;
  /**
   * Writes this process has committed so far: whoever keeps a copy of what the database holds (the
   * poll-closing scheduler's next closing time) learns cheaply whether it may have changed.
   */
  committedWrites = 0;
  /**
   * Since when (ms) writes have been failing for a reason of the database
   * (a failed COMMIT, a full disk, a lock held elsewhere, a lost server).
   * Only a successful probeWrite clears it: a unit of work that changed
   * nothing commits even on a full disk and proves nothing. /healthz
   * reports 503 while it is set.
   */
  writesFailingSince: number | null = null;
  /** Told after every write transaction (write-listeners.ts): the response cache drops what it holds. */
  readonly writesEnded: WriteEndedListeners;
  /** The health probe in flight: concurrent health checks share it instead of queueing 64 KB writes. */
  private probing: Promise<void> | null = null;
  private readonly serialized: boolean;
  private readonly sqlite: SqliteTransactions | null;
  private readonly readerCount: number;
  /** The read-only connections, once connected (SQLite with SQLITE_READERS > 0, on a file). */
  private readers: SqliteReaders | null = null;

  constructor(
    readonly dataSource: DataSource,
    private readonly events: { publish(event: E): void },
    private readonly logger: Logger,
    options: DatabaseOptions = {},
  ) {
    this.writesEnded = new WriteEndedListeners(logger);
    this.serialized = dataSource.options.type === 'sqlite';
    this.sqlite = this.serialized ? new SqliteTransactions(dataSource, () => this.configureSqliteConnection(), logger) : null;
    this.queue = this.sqlite ? new WriterQueue(this.sqlite, (ms) => this.observer?.waited(ms)) : null;
    const inMemory = (dataSource.options as { database?: unknown }).database === ':memory:';
    this.readerCount = this.serialized && !inMemory ? (options.sqliteReaders ?? 0) : 0;
  }

  /** Reports each unit's wait for its turn to `observer` from now on. */
  observe(observer: UnitOfWorkObserver): void {
    this.observer = observer;
  }

  /**
   * Units of work waiting for their turn: on SQLite the queue in front of the
   * writer connection and the reads waiting for a free reader; on PostgreSQL
   * the requests waiting for a pooled connection.
   */
  get queueLength(): number {
    if (this.queue) return this.queue.waiting + (this.readers?.waiting ?? 0);
    const pool = (this.dataSource.driver as { master?: { waitingCount?: number } }).master;
    return pool?.waitingCount ?? 0;
  }

  /** Opens the data source and applies the per-connection settings; then the readers, on the file the writer has put in WAL mode. */
  async connect(): Promise<void> {
    await this.dataSource.initialize();
    if (this.serialized) await this.configureSqliteConnection();
    if (this.readerCount > 0) {
      const onWriter = (sql: string, parameters?: unknown[]) => this.exclusive(() => this.dataSource.query(sql, parameters));
      this.readers = await SqliteReaders.open(this.dataSource, this.readerCount, onWriter, this.logger, (ms) => this.observer?.waited(ms));
    }
  }

  /** Waits for the units of work in flight, then closes the readers and the writer (shutdown; copes with a partial connect). */
  async close(): Promise<void> {
    await this.idle();
    await this.readers?.close();
    this.readers = null;
    if (this.serialized && this.dataSource.isInitialized) await StatementCache.disposeOf(sqliteConnectionOf(this.dataSource));
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  private async configureSqliteConnection(): Promise<void> {
    // TypeORM's driver already set journal_mode = WAL, busy_timeout and foreign_keys on the new connection.
    await this.dataSource.query(`PRAGMA synchronous = ${SQLITE_SYNCHRONOUS}`);
    // Kept statements for the writer's SELECTs and writes (finalized before any close).
    StatementCache.install(sqliteConnectionOf(this.dataSource), { writes: true });
  }

  /**
   * How long (ms) the unit of work holding the SQLite writer has held it while others wait behind
   * it; 0 when the writer is free or nobody waits (and always on PostgreSQL). Reads succeed on
   * their own connections meanwhile, so a write that hangs shows only here (/healthz).
   */
  writerStalledForMs(now = Date.now()): number {
    const startedAt = this.queue?.turnStartedAt ?? null;
    if (startedAt === null || this.queue?.waiting === 0) return 0;
    return now - startedAt;
  }

  /** Runs `unit`; records the success, or maps the failure onto what the client gets. */
  private served<T>(unit: () => Promise<T>): Promise<T> {
    return unit().then(
      (result) => {
        this.lastSuccessAt = Date.now();
        return result;
      },
      (error: unknown) => {
        throw clientError(error);
      },
    );
  }

  /** Runs `work` alone on the writer connection (SQLite) or directly (pooled drivers). */
  private exclusive<T>(unit: () => Promise<T>): Promise<T> {
    const sqlite = this.sqlite;
    if (!sqlite || !this.queue) return this.served(unit);
    return this.queue.exclusive(() => this.served(() => sqlite.ensureOpen().then(unit)));
  }

  /**
   * SQLite: a write into the writer queue's next batch (group commit). `committed` runs once the
   * batch's COMMIT succeeded, in queue order, before the caller resumes.
   */
  private queueWrite<T>(queue: WriterQueue, work: TransactionalWork<T>, committed: () => void): Promise<T> {
    return new Promise<T>((resolve, reject) =>
      queue.write(work, (outcome) => {
        if (!outcome.ok) return reject(clientError(outcome.error));
        this.lastSuccessAt = Date.now();
        try {
          committed();
        } catch (error) {
          // Committed, but publishing failed: the caller hears of it, as when it awaited the publish itself.
          return reject(error);
        }
        resolve(outcome.value as T);
      }),
    );
  }

  /** A read outside any transaction: on a reader when there are readers, else in the writer's queue. */
  read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const readers = this.readers;
    if (readers) return this.served(() => readers.read(work));
    return this.exclusive(() => work(this.dataSource.manager));
  }

  /**
   * A transaction; its events are published after COMMIT, never after a
   * ROLLBACK. On PostgreSQL a transaction chosen as a deadlock victim or
   * failing serialization is run again from the start (a few times): the
   * client sees the outcome, not the collision.
   */
  async write<T>(work: (unit: UnitOfWork<E>) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const pending: E[] = [];
      const transactional = (manager: EntityManager) => work({ manager, publishAfterCommit: (event) => pending.push(event) });
      const committed = () => {
        this.committedWrites++;
        for (const event of pending) this.events.publish(event);
        this.writesEnded.notify(pending.length);
      };
      try {
        if (this.queue) return await this.queueWrite(this.queue, transactional, committed);
        const result = await this.exclusive(() => this.dataSource.transaction(transactional));
        committed();
        return result;
      } catch (error) {
        if (error instanceof ServiceUnavailableError) {
          // The database failed (a COMMIT among them): whether it stored the write is not certain.
          this.writesEnded.notify(0);
          // Every failed write is logged with its cause (the client only sees SERVICE_UNAVAILABLE);
          // the first of a failing streak also turns /healthz to 503.
          this.logger.warn('write failed: the database did not store it', { error: error.cause ?? error });
          if (this.writesFailingSince === null) {
            this.writesFailingSince = Date.now();
            this.logger.warn('writes are failing; /healthz reports 503 until one commits');
          }
        }
        if (attempt >= MAX_ATTEMPTS || !isRetryableConflict(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 10));
      }
    }
  }

  /**
   * Several reads that must show one moment (a poll's totals and its options):
   * on SQLite a read transaction on a reader held alone (without readers, one
   * unit of work of the queue); on PostgreSQL a REPEATABLE READ transaction
   * (one snapshot for all its statements).
   */
  snapshot<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const readers = this.readers;
    if (readers) return this.served(() => readers.snapshot(work));
    if (this.serialized) return this.exclusive(() => work(this.dataSource.manager));
    return this.exclusive(() => this.dataSource.transaction('REPEATABLE READ', work));
  }

  get isPostgres(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  /** Prepared statements kept for reuse on SQLite: the readers' SELECTs and the writer's statements (0 on PostgreSQL). */
  get statementsKept(): { readers: number; writer: number } {
    const writer = this.serialized && this.dataSource.isInitialized ? StatementCache.keptOn(sqliteConnectionOf(this.dataSource)) : 0;
    return { readers: this.readers?.statementsKept ?? 0, writer };
  }

  /** Resolves once every queued unit of work and every read in flight has finished (for shutdown). */
  async idle(): Promise<void> {
    await Promise.all([this.queue?.idle(), this.readers?.idle()]);
  }

  /** Liveness probe for /healthz. */
  async ping(): Promise<void> {
    // Touches a table, so a locked or unreadable file fails the probe.
    await this.read((manager) => manager.query('SELECT COUNT(*) FROM migrations'));
  }

  /**
   * A write that commits nothing of a member's (one row of health_probe), for
   * /healthz to learn while writes are failing whether a COMMIT succeeds again.
   * It writes 64 KB of random bytes: on a nearly full disk a tiny write may still
   * fit in the write-ahead log while members' comments do not, and a probe that
   * small would call the database healthy. Success clears writesFailingSince.
   */
  probeWrite(): Promise<void> {
    this.probing ??= this.runProbe().finally(() => (this.probing = null));
    return this.probing;
  }

  private async runProbe(): Promise<void> {
    await this.write(({ manager }) => manager.query(probeWriteSql(this.isPostgres), [Date.now()]));
    if (this.writesFailingSince !== null) this.logger.info('writes commit again', { failedForMs: Date.now() - this.writesFailingSince });
    this.writesFailingSince = null;
  }

  /**
   * Test seam (SQLite only): every BEGIN IMMEDIATE, COMMIT or ROLLBACK of a
   * unit of work runs `fault` instead until the returned function is called,
   * to reproduce a disk that fails at that moment and later recovers.
   */
  injectFault(statement: TransactionStatement, fault: StatementFault): () => void {
    if (!this.sqlite) throw new Error('fault injection is for the SQLite unit of work');
    return this.sqlite.injectFault(statement, fault);
  }
}
