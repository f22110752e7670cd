/**
 * Closing polls at closesAt: a scheduler on every instance turns "closesAt
 * has passed" into a real write (closed flag, version + 1, an event). Each
 * close is a conditional UPDATE that exactly one runner wins, so several
 * instances may run it at once.
 *
 * An idle server does not ask the database every tick. A look-ahead read
 * ("does an open poll close within the next LOOKAHEAD_MS?") that finds none
 * lets the ticks rest until the window ends, unless this process commits a
 * write meanwhile (which may have created a poll or moved its closesAt: the
 * next tick looks again). Once a poll is within the window, every tick looks
 * for due polls as before, so a poll of this instance closes within one
 * interval of its closesAt. A poll another instance created (PostgreSQL) is
 * closed by that instance on time, and by this one within LOOKAHEAD_MS should
 * that one have stopped. Reads already treat a poll past its closesAt as
 * closed; the scheduler makes it a write, a version and an event.
 */
import type { Database } from '../../db/database';
import type { Logger } from '../../logger';
import type { DomainEvent } from '../events';
import type { PostService } from '../post/post.service';

/** Polls closed per step at most. */
const STEP = 100;

/** How far ahead a look-ahead read looks, and so how long an idle scheduler rests between reads. */
export const LOOKAHEAD_MS = 5000;

export class PollClosingScheduler {
  /** Until when no open poll closes, as of the last look-ahead read (0: look again at the next tick). */
  private restUntil = 0;
  /** The database's committed writes when the last look-ahead read began. */
  private seenCommits = -1;

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
        const poll = await this.posts.closePoll(manager, id, now, true);
        if (poll) {
          publishAfterCommit({ type: 'pollResultsChanged', pollId: id, version: poll.resultsVersion });
          publishAfterCommit({ type: 'postChanged', postId: id });
          closed++;
        }
      }
      return closed;
    });
  }

  /**
   * One tick: closes due polls, unless the last look-ahead read proved that none can be due yet
   * (nothing committed here since, its window not over). Returns the number of polls closed.
   */
  async tick(now = new Date()): Promise<number> {
    const commits = this.db.committedWrites;
    if (commits === this.seenCommits && now.getTime() < this.restUntil) return 0;
    // Taken before the read: a write committed while it runs makes the next tick look again.
    this.seenCommits = commits;
    this.restUntil = 0; // a failed read must not leave the scheduler resting
    const horizon = new Date(now.getTime() + LOOKAHEAD_MS);
    const upcoming = await this.db.read((manager) => this.posts.duePollIds(manager, horizon, 1));
    if (upcoming.length === 0) {
      this.restUntil = horizon.getTime();
      return 0;
    }
    return this.closeDuePolls(now);
  }

  /** Runs tick every `intervalMs`; returns a stop function. Failures are logged, never thrown. */
  start(intervalMs: number): () => void {
    let running = false;
    const step = async () => {
      if (running) return; // a slow step is never overlapped by the next one
      running = true;
      try {
        const closed = await this.tick();
        if (closed > 0) this.logger.info('closed polls at closesAt', { closed });
      } catch (error) {
        this.logger.error('poll close scheduler failed', { error });
      } finally {
        running = false;
      }
    };
    const timer = setInterval(step, intervalMs);
    timer.unref();
    void step();
    return () => clearInterval(timer);
  }
}
