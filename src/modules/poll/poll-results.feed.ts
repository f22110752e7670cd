/**
 * pollResultsUpdated: a poll's results as each subscriber may see them.
 *
 * - First message: the current results, at once.
 * - Then: the latest results after changes, at most one message per poll per
 *   conflation interval; an unsent message is replaced by a newer one (a
 *   'latest' queue), so a slow dashboard gets the final state, never a backlog.
 * - Order: versions never go backwards for a subscriber; an unchanged version
 *   with unchanged visibility is not sent again.
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

export class PollResultsFeed extends LiveFeed<PollResults, PollSubscriber> {
  constructor(
    private readonly deps: PollResultsFeedDeps,
    registry: SubscriptionRegistry,
    intervalMs: number,
    logger: Logger,
  ) {
    super('pollResultsUpdated', registry, intervalMs, logger);
  }

  async subscribe(viewerId: number | null, registration: Registration | null, pollId: number): Promise<LiveQueue<PollResults>> {
    const poll = (await this.deps.findPosts([pollId]))[0];
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
    await this.undoOnFailure(subscriber, () => this.flush(poll.id, subscriber));
    return subscriber.queue;
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
    const { poll, options, voters } = state;
    const now = new Date();
    // Each payload is built once per visibility class, whatever the audience, and delivered to its cohort.
    let visible: PollResults | null = null;
    let hidden: PollResults | null = null;
    const cohorts = new Map<PollResults, PollSubscriber[]>();
    for (const subscriber of subscribers) {
      const canSee = maySeeTallies(poll, subscriber.viewerId, subscriber.viewerId !== null && voters.has(subscriber.viewerId), now);
      const results = canSee ? (visible ??= buildPollResults(poll, options, true, now)) : (hidden ??= buildPollResults(poll, options, false, now));
      // Versions never go backwards; an unchanged version with unchanged visibility is nothing new.
      if (results.version < subscriber.lastVersion) continue;
      if (results.version === subscriber.lastVersion && results.isHidden === subscriber.lastHidden) continue;
      subscriber.lastVersion = results.version;
      subscriber.lastHidden = results.isHidden;
      const cohort = cohorts.get(results);
      if (cohort) cohort.push(subscriber);
      else cohorts.set(results, [subscriber]);
    }
    for (const [results, cohort] of cohorts) this.deliver(cohort, results);
  }
}
