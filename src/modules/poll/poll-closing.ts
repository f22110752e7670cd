/**
 * Closing polls at closesAt: a scheduler on every instance turns "closesAt
 * has passed" into a real write (closed flag, version + 1, an event). Each
 * close is a conditional UPDATE that exactly one runner wins, so several
 * instances may run it at once.
 */
import type { EntityManager } from 'typeorm';
import type { Database } from '../../db/database';
import type { DomainEvent } from '../events';
import { affectedRows } from '../../db/dialect';
import type { Logger } from '../../logger';
import { Post } from '../post/post.entity';

/** Closes an open poll (closed flag, version + 1); false when it was closed already. */
export async function markPollClosed(manager: EntityManager, pollId: number, now: Date): Promise<boolean> {
  const result = await manager
    .createQueryBuilder()
    .update(Post)
    .set({ isClosed: true, resultsVersion: () => 'results_version + 1', resultsUpdatedAt: now })
    .where('id = :pollId AND is_closed = :open', { pollId, open: false })
    .execute();
  return affectedRows(result) === 1;
}

export class PollClosingScheduler {
  constructor(
    private readonly db: Database<DomainEvent>,
    private readonly logger: Logger,
  ) {}

  /** Open polls whose closesAt has passed, oldest first (at most 100 per step). */
  private duePolls(manager: EntityManager, now: Date) {
    return (
      manager
        .getRepository(Post)
        .createQueryBuilder('p')
        .select(['p.id'])
        .where('p.kind = :kind AND p.is_closed = :open AND p.closes_at <= :now', { kind: 'POLL', open: false, now: now.getTime() })
        // A total order (id breaks ties) makes instances lock due polls in the same order: no deadlock between them.
        .orderBy('p.closes_at', 'ASC')
        .addOrderBy('p.id', 'ASC')
        .limit(100)
    );
  }

  /**
   * The scheduler's step: makes "closed at closesAt" a real write (closed
   * flag, version + 1, an event). Each close is a conditional UPDATE that
   * only one runner wins, so several instances may run this at once.
   */
  async closeDuePolls(now = new Date()): Promise<number> {
    // Most ticks find nothing due: a read says so without opening a write transaction every tick
    // (on SQLite that would take the write lock, wait behind another process holding it, and
    // commit nothing).
    if ((await this.db.read((manager) => this.duePolls(manager, now).getMany())).length === 0) return 0;
    return this.db.write(async ({ manager, publishAfterCommit }) => {
      const due = await this.duePolls(manager, now).getMany();
      let closed = 0;
      for (const { id } of due) {
        if (await markPollClosed(manager, id, now)) {
          const poll = await manager.getRepository(Post).findOneOrFail({ where: { id }, select: { id: true, resultsVersion: true } });
          publishAfterCommit({ type: 'pollResultsChanged', pollId: id, version: poll.resultsVersion });
          closed++;
        }
      }
      return closed;
    });
  }

  /** Runs closeDuePolls every `intervalMs`; returns a stop function. Failures are logged, never thrown. */
  start(intervalMs: number): () => void {
    let running = false;
    const tick = async () => {
      if (running) return; // a slow step is never overlapped by the next one
      running = true;
      try {
        const closed = await this.closeDuePolls();
        if (closed > 0) this.logger.info('closed polls at closesAt', { closed });
      } catch (error) {
        this.logger.error('poll close scheduler failed', { error });
      } finally {
        running = false;
      }
    };
    const timer = setInterval(tick, intervalMs);
    timer.unref();
    void tick();
    return () => clearInterval(timer);
  }
}
