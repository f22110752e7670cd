/**
 * The one path to the database: every unit of work goes through here.
 *
 * TypeORM's SQLite driver shares ONE connection for the whole process
 * (PITFALLS: "we have only one query runner in sqlite"). Anything sent on it
 * while a transaction is open becomes part of that transaction, so a request
 * that rolls back would erase other requests' committed writes. We therefore
 * run every read and write, transactional or not, through one FIFO queue on
 * SQLite; units of work never overlap. On a pooled driver (PostgreSQL, later)
 * the queue is not needed and work runs concurrently.
 *
 * Writes collect domain events and publish them only after the commit.
 */
import { DataSource, EntityManager } from 'typeorm';
import { ServiceUnavailableError } from '../graphql/errors';
import type { DomainEvent, DomainEventBus } from '../realtime/domain-events';
import { isDatabaseUnavailable, isRetryableConflict } from './dialect';

/** Attempts of a transaction that lost a deadlock or serialization race (PostgreSQL). */
const MAX_ATTEMPTS = 4;

export interface UnitOfWork {
  manager: EntityManager;
  /** Queue an event to publish once this transaction has committed. */
  publishAfterCommit(event: DomainEvent): void;
}

export class Database {
  private tail: Promise<unknown> = Promise.resolve();
  /** When a unit of work last succeeded (ms): proof of life without queueing a ping behind busy writers. */
  lastSuccessAt = 0;
  private readonly serialized: boolean;

  constructor(
    readonly dataSource: DataSource,
    private readonly events: DomainEventBus,
  ) {
    this.serialized = dataSource.options.type === 'sqlite';
  }

  /** Runs `work` alone on the connection (SQLite) or directly (pooled drivers). */
  private exclusive<T>(unit: () => Promise<T>): Promise<T> {
    // A database that cannot serve (busy, locked, unreachable) is the client's SERVICE_UNAVAILABLE, not an internal error.
    const work = () =>
      unit().catch((error: unknown) => {
        throw isDatabaseUnavailable(error) ? Object.assign(new ServiceUnavailableError(), { cause: error }) : error;
      });
    if (!this.serialized) {
      return work().then((result) => {
        this.lastSuccessAt = Date.now();
        return result;
      });
    }
    const run = this.tail.then(work, work).then((result) => {
      this.lastSuccessAt = Date.now();
      return result;
    });
    // The queue continues whether this unit succeeded or failed.
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** A read outside any transaction. */
  read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.exclusive(() => work(this.dataSource.manager));
  }

  /**
   * A transaction; its events are published after COMMIT, never after a
   * ROLLBACK. On PostgreSQL a transaction chosen as a deadlock victim or
   * failing serialization is run again from the start (a few times): the
   * client sees the outcome, not the collision.
   */
  async write<T>(work: (unit: UnitOfWork) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const pending: DomainEvent[] = [];
      try {
        const result = await this.exclusive(() =>
          this.dataSource.transaction((manager) => work({ manager, publishAfterCommit: (event) => pending.push(event) })),
        );
        for (const event of pending) this.events.publish(event);
        return result;
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !isRetryableConflict(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 10));
      }
    }
  }

  /**
   * Several reads that must show one moment (a poll's totals and its options):
   * on SQLite one unit of work of the queue, on PostgreSQL a REPEATABLE READ
   * transaction (one snapshot for all its statements).
   */
  snapshot<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.serialized) return this.read(work);
    return this.exclusive(() => this.dataSource.transaction('REPEATABLE READ', work));
  }

  get isPostgres(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  /** Resolves once every queued unit of work has finished (for shutdown). */
  async idle(): Promise<void> {
    await this.tail;
  }

  /** Liveness probe for /healthz. */
  async ping(): Promise<void> {
    // Touches a table, so a locked or unreadable file fails the probe.
    await this.read((manager) => manager.query('SELECT COUNT(*) FROM migrations'));
  }
}
