/**
 * The FIFO queue in front of the one SQLite writer connection (see database.ts for why every use
 * of that connection goes through it), with group commit for writes.
 *
 * Guarantees:
 * - Turns never overlap, and run in the order they were queued.
 * - Writes queued while the writer is busy join the batch waiting for its turn: one transaction,
 *   one COMMIT (SqliteTransactions.runBatch), at most MAX_BATCH writes. A batch never waits for
 *   more work: it is whatever queued before its turn came; a lone write runs at once, alone.
 * - Exclusive work (a read on the writer, the readers' writer-side statements) closes the batch
 *   in front of it: writes queued after it run after it, in a batch of their own.
 * - Each write of a batch is settled in queue order once the batch has ended.
 */
import type { SqliteTransactions, TransactionalWork, UnitOutcome } from './sqlite-transactions';

/**
 * Most writes one SQLite transaction carries: the last of a full batch waits for the 63 before
 * it, so the cap bounds the latency a burst adds to any one write.
 */
export const MAX_BATCH = 64;

/** A write waiting in a batch for its turn. */
interface QueuedWrite {
  work: TransactionalWork<unknown>;
  queuedAt: number;
  /** Called in queue order once the batch has ended. */
  settle(outcome: UnitOutcome<unknown>): void;
}

export class WriterQueue {
  private tail: Promise<unknown> = Promise.resolve();
  /** The batch of writes queued and not yet begun: writes queued now join it. */
  private openBatch: QueuedWrite[] | null = null;
  /** Units (writes and exclusive work) queued behind the turn in progress. */
  waiting = 0;
  /** When the turn holding the writer began (ms); null while none holds it. */
  turnStartedAt: number | null = null;

  constructor(
    private readonly sqlite: SqliteTransactions,
    /** Each unit's wait for its turn (ms), for metrics. */
    private readonly waited: (ms: number) => void,
  ) {}

  /** Runs `work` alone, after everything queued before it. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    // FIFO: writes queued after this may not join a batch queued before it.
    this.openBatch = null;
    const queuedAt = performance.now();
    this.waiting++;
    return this.enqueue(() => {
      this.tookTurn(queuedAt);
      return work();
    });
  }

  /** Queues a write into the batch waiting for its turn, or a new batch; `settle` gets its outcome. */
  write(work: TransactionalWork<unknown>, settle: (outcome: UnitOutcome<unknown>) => void): void {
    const batch = this.openBatch && this.openBatch.length < MAX_BATCH ? this.openBatch : this.queueBatch();
    this.waiting++;
    batch.push({ work, queuedAt: performance.now(), settle });
  }

  /** Resolves once everything queued so far has had its turn. */
  idle(): Promise<unknown> {
    return this.tail;
  }

  private queueBatch(): QueuedWrite[] {
    const batch: QueuedWrite[] = [];
    this.openBatch = batch;
    void this.enqueue(async () => {
      // From its turn on the batch is closed: writes queued from now on form the next one.
      if (this.openBatch === batch) this.openBatch = null;
      for (const unit of batch) this.tookTurn(unit.queuedAt);
      const outcomes = await this.sqlite.runBatch(batch.map((unit) => unit.work));
      // Settled one by one: a settle that throws must not leave the writes after it waiting forever.
      outcomes.forEach((outcome, index) => {
        try {
          batch[index].settle(outcome);
        } catch {
          // The settle callback reports its own failure to its caller (Database.queueWrite).
        }
      });
    });
    return batch;
  }

  private enqueue<T>(turn: () => Promise<T>): Promise<T> {
    const timed = () => {
      const startedAt = Date.now();
      this.turnStartedAt = startedAt;
      return turn().finally(() => {
        if (this.turnStartedAt === startedAt) this.turnStartedAt = null;
      });
    };
    const run = this.tail.then(timed, timed);
    // The queue continues whether this turn succeeded or failed.
    this.tail = run.catch(() => undefined);
    return run;
  }

  private tookTurn(queuedAt: number): void {
    this.waiting--;
    this.waited(performance.now() - queuedAt);
  }
}
