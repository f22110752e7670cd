/**
 * pollResultsUpdated: a poll's results as each subscriber may see them.
 *
 * - First message: the current results, at once.
 * - Then: the latest results after changes, at most one message per poll per
 *   conflation interval; an unsent message is replaced by a newer one (a
 *   'latest' queue), so a slow dashboard gets the final state, never a backlog.
 * - Order: versions never go backwards for a subscriber; an unchanged version
 *   with unchanged visibility is not sent again.
 * - Hidden subscribers (who may not see the tallies) get the version of the
 *   latest change of participation or closing (buildPollResults), so the rule
 *   above sends them a message only when participantCount, isClosed or
 *   isHidden changes for them: a vote switch sends them nothing, not even its
 *   timing. Their visibility flips only with a change that moves both versions
 *   (their own vote or retraction, closing), and both come from the poll's one
 *   counter, so a flip never goes backwards either.
 * - End: once the poll is deleted, the next flush (postChanged schedules
 *   one) ends every subscription with NOT_FOUND.
 * - Moderation: a removed poll is deleted for everyone but its author and
 *   moderators: the flush that finds it REMOVED ends exactly the others'
 *   subscriptions with NOT_FOUND and keeps the author's and moderators';
 *   subscribing to a poll removed for the viewer is NOT_FOUND. Roles are
 *   read from the database (one query for all subscribers, and only while
 *   the poll is REMOVED), never from the connect-time viewer.
 * - Cost: one snapshot read per flush and one payload per visibility class,
 *   whatever the audience. Hidden tallies never leave the server.
 * - Subscribing to a poll someone already watches reads nothing when the last
 *   flush's snapshot is still fresh (no change event arrived since its read
 *   began, and the poll has not closed by time since): the subscriber gets
 *   that flush's results for its class (already executed for its cohort).
 *   This keeps "joined before the first message is read": a change whose
 *   event arrives after the join is pushed by the flush it schedules. A
 *   signed-in member of an ON_VOTE poll who is not its author still needs a
 *   read (whether they voted).
 */
import type { Logger } from '../../logger';
import { FeedSubscriber, LiveFeed, Registration } from '../../realtime/live-feed';
import type { LiveQueue } from '../../realtime/live-queue';
import type { SubscriptionRegistry } from '../../realtime/subscription-registry';
import { NotFoundError } from '../../graphql/errors';
import type { SharedLoaders } from '../loaders';
import { isRemovedForSubscriber, subscribersRemovedFrom } from '../moderation/feed-visibility';
import type { Post } from '../post/post.entity';
import { buildPollResults, maySeeTallies, PollResults } from './poll-results';
import type { PollReadService } from './poll-reads.service';

interface PollSubscriber extends FeedSubscriber<PollResults> {
  lastVersion: number;
  lastHidden: boolean | null;
  /** What never changes about the poll (read when subscribing): who may see the tallies depends on votes only for ON_VOTE. */
  poll: Pick<Post, 'authorId' | 'resultsVisibility'>;
}

export interface PollResultsFeedDeps {
  findPosts(ids: readonly number[]): Promise<Post[]>;
  liveState: PollReadService['liveState'];
  /** Loaders whose memberById reads subscribers' roles (moderation). */
  createSharedLoaders(): SharedLoaders;
}

type LiveState = NonNullable<Awaited<ReturnType<PollReadService['liveState']>>>;

/** The last flush's snapshot of a watched poll and the results it built, while no change event has arrived since its read began. */
interface Snapshot {
  /** The poll's watch period and its change count when the read began. */
  epoch: { count: number };
  change: number;
  state: LiveState;
  readAt: Date;
  visible: PollResults | null;
  hidden: PollResults | null;
}

export class PollResultsFeed extends LiveFeed<PollResults, PollSubscriber> {
  /** Per watched poll: change events (and resyncs) seen so far; a snapshot read before the latest one is stale. */
  private readonly changes = new Map<number, { count: number }>();
  private readonly snapshots = new Map<number, Snapshot>();

  constructor(
    private readonly deps: PollResultsFeedDeps,
    registry: SubscriptionRegistry,
    intervalMs: number,
    logger: Logger,
  ) {
    super('pollResultsUpdated', registry, intervalMs, logger);
  }

  async subscribe(viewerId: number | null, registration: Registration | null, pollId: number): Promise<LiveQueue<PollResults>> {
    const poll = this.freshSnapshot(pollId)?.state.poll ?? (await this.deps.findPosts([pollId]))[0];
    if (!poll || poll.deletedAt !== null || poll.kind !== 'POLL') throw new NotFoundError('Poll', 'pollId');
    if (await isRemovedForSubscriber(() => this.deps.createSharedLoaders(), viewerId, poll)) throw new NotFoundError('Poll', 'pollId');
    const subscriber: PollSubscriber = {
      viewerId,
      lastVersion: -1,
      lastHidden: null,
      poll: { authorId: poll.authorId, resultsVisibility: poll.resultsVisibility },
      queue: this.createQueue(poll.id, registration, () => subscriber, { kind: 'latest' }),
    };
    this.join(poll.id, subscriber);
    if (!this.changes.has(poll.id)) this.changes.set(poll.id, { count: 0 });
    // Joined first: from here on every change event schedules a flush that reaches this subscriber.
    if (this.firstFromSnapshot(subscriber, this.freshSnapshot(poll.id))) return subscriber.queue;
    await this.undoOnFailure(subscriber, () => this.flush(poll.id, subscriber));
    return subscriber.queue;
  }

  schedule(pollId: number): void {
    this.changed(pollId);
    super.schedule(pollId);
  }

  protected onResync(pollId: number): void {
    this.changed(pollId);
  }

  protected onLastLeft(pollId: number): void {
    this.changes.delete(pollId);
    this.snapshots.delete(pollId);
  }

  /** A change event (or a resync) for the poll: snapshots read before it are stale. */
  private changed(pollId: number): void {
    const epoch = this.changes.get(pollId);
    if (epoch) epoch.count++;
    this.snapshots.delete(pollId);
  }

  /** The last flush's snapshot, if no change arrived since its read began and the poll has not closed by time since. */
  private freshSnapshot(pollId: number): Snapshot | null {
    const snapshot = this.snapshots.get(pollId);
    if (!snapshot || this.changes.get(pollId) !== snapshot.epoch || snapshot.epoch.count !== snapshot.change) return null;
    const { poll } = snapshot.state;
    return poll.isClosedAt(new Date()) === poll.isClosedAt(snapshot.readAt) ? snapshot : null;
  }

  /** The first message from a fresh snapshot, when the subscriber's class is known without a read; false when it must be read. */
  private firstFromSnapshot(subscriber: PollSubscriber, snapshot: Snapshot | null): boolean {
    if (!snapshot) return false;
    const { poll } = snapshot.state;
    const undecided = poll.resultsVisibility === 'ON_VOTE' && subscriber.viewerId !== null && subscriber.viewerId !== poll.authorId;
    if (undecided && !poll.isClosedAt(snapshot.readAt)) return false;
    const cohorts = this.cohortsOf([subscriber], snapshot, () => false);
    for (const [results, cohort] of cohorts) this.deliver(cohort, results);
    return true;
  }

  protected async flush(pollId: number, only?: PollSubscriber): Promise<void> {
    let subscribers = this.audience(pollId, only).filter((subscriber) => !subscriber.queue.isEnded);
    if (subscribers.length === 0) return;
    // Who may see the tallies depends on having a vote only for ON_VOTE polls: one query for the whole audience.
    const facts = subscribers[0].poll;
    const members =
      facts.resultsVisibility === 'ON_VOTE'
        ? [...new Set(subscribers.map((s) => s.viewerId).filter((id): id is number => id !== null && id !== facts.authorId))]
        : [];
    // The poll row (totals, version), its options (counts) and the voters must be one moment's state:
    // read separately, a vote committed in between made a payload whose totalVotes, voteCounts,
    // percentages and version disagree. One snapshot (one SQLite unit of work, one PostgreSQL
    // REPEATABLE READ transaction) reads all three.
    const epoch = this.changes.get(pollId) ?? { count: -1 };
    const change = epoch.count;
    const state = await this.deps.liveState(pollId, members);
    if (!state || state.poll.deletedAt !== null) {
      this.end(subscribers, { error: () => new NotFoundError('Poll', 'pollId') });
      return;
    }
    // Removed is deleted for everyone but its author and moderators (one role query for all, see the header).
    const gone = await subscribersRemovedFrom(this.deps.createSharedLoaders(), subscribers, state.poll);
    if (gone.length > 0) {
      this.end(gone, { error: () => new NotFoundError('Poll', 'pollId') });
      subscribers = subscribers.filter((subscriber) => !gone.includes(subscriber));
    }
    const snapshot: Snapshot = { epoch, change, state, readAt: new Date(), visible: null, hidden: null };
    // Kept for subscribers joining before the next change (its voters are not: they are read for the members asked only).
    if (this.changes.get(pollId) === epoch && epoch.count === change) this.snapshots.set(pollId, snapshot);
    const cohorts = this.cohortsOf(subscribers, snapshot, (viewerId) => state.voters.has(viewerId));
    for (const [results, cohort] of cohorts) this.deliver(cohort, results);
  }

  /**
   * The subscribers to send something, by the results their class gets (built once per class, whatever
   * the audience, and kept on the snapshot); `voted` says whether a signed-in member has a vote.
   */
  private cohortsOf(subscribers: PollSubscriber[], snapshot: Snapshot, voted: (viewerId: number) => boolean): Map<PollResults, PollSubscriber[]> {
    const { poll, options } = snapshot.state;
    const cohorts = new Map<PollResults, PollSubscriber[]>();
    for (const subscriber of subscribers) {
      const canSee = maySeeTallies(poll, subscriber.viewerId, subscriber.viewerId !== null && voted(subscriber.viewerId), snapshot.readAt);
      const results = canSee
        ? (snapshot.visible ??= buildPollResults(poll, options, true, snapshot.readAt))
        : (snapshot.hidden ??= buildPollResults(poll, options, false, snapshot.readAt));
      // Versions never go backwards; an unchanged version with unchanged visibility is nothing new.
      if (results.version < subscriber.lastVersion) continue;
      if (results.version === subscriber.lastVersion && results.isHidden === subscriber.lastHidden) continue;
      subscriber.lastVersion = results.version;
      subscriber.lastHidden = results.isHidden;
      const cohort = cohorts.get(results);
      if (cohort) cohort.push(subscriber);
      else cohorts.set(results, [subscriber]);
    }
    return cohorts;
  }
}
