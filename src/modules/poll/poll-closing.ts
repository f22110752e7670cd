/**
 * Closing polls at closesAt: a scheduler on every instance turns "closesAt
 * has passed" into a real write (closed flag, version + 1, an event). Each
 * close is a conditional UPDATE that exactly one runner wins, so several
 * instances may run it at once.
 */
import type { Database } from '../../db/database';
import type { Logger } from '../../logger';
import type { DomainEvent } from '../events';
import type { PostService } from '../post/post.service';

/** Polls closed per step at most. */
const STEP = 100;

export class PollClosingScheduler {
  constructor(
    private readonly db: Database<DomainEvent>,
    private readonly posts: PostService,
    private readonly logger: Logger,
  ) {}

  /**
   * The scheduler's step: makes "closed at closesAt" a real write (closed
   * flag, version + 1, an event). Each close is a conditional UPDATE that
   * only one runner wins, so several instances may run this at once.
   */
  async closeDuePolls(now = new Date()): Promise<number> {
    // Most ticks find nothing due: a read says so without opening a write transaction every tick
    // (on SQLite that would take the write lock, wait behind another process holding it, and
    // commit nothing).
    if ((await this.db.read((manager) => this.posts.duePollIds(manager, now, STEP))).length === 0) return 0;
    return this.db.write(async ({ manager, publishAfterCommit }) => {
      const due = await this.posts.duePollIds(manager, now, STEP);
      let closed = 0;
      for (const id of due) {
        const poll = await this.posts.closePoll(manager, id, now);
        if (poll) {
          publishAfterCommit({ type: 'pollResultsChanged', pollId: id, version: poll.resultsVersion });
          publishAfterCommit({ type: 'postChanged', postId: id });
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
