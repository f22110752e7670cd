/**
 * pollBreakdownUpdated(pollId, by): a poll's breakdown as each subscriber may see it
 * (api/insights.graphql).
 *
 * - First message: the current breakdown, at once. Then the latest after every change of its
 *   version, at most one message per poll and dimension per conflation interval ('latest' queue:
 *   never a backlog, never skipping the final state); versions never go backwards.
 * - Every message is what Poll.resultsBreakdown(by) would return to the subscriber at that moment:
 *   visibility is decided again for each message (an ON_VOTE subscriber who votes gets the groups
 *   with the next one), and a hidden subscriber's payload is built without any figure, so groups
 *   not shown and figures not yet published never leave the server.
 * - A vote switch moves no breakdown version, so it sends nothing.
 * - Cost per flush: one snapshot read (poll, options, published buckets or the final votes grouped,
 *   which of the audience voted for ON_VOTE polls) and one payload per visibility class, whatever
 *   the audience. Scheduled by the poll's pollResultsChanged and postChanged events, which other
 *   instances relay, so it holds across instances.
 * - End: a deleted poll ends every subscription with NOT_FOUND; a removed one ends all but its
 *   author's and moderators' (as pollResultsUpdated).
 */
import { NotFoundError } from '../../graphql/errors';
import type { Logger } from '../../logger';
import { FeedSubscriber, LiveFeed, Registration } from '../../realtime/live-feed';
import type { LiveQueue } from '../../realtime/live-queue';
import type { SubscriptionRegistry } from '../../realtime/subscription-registry';
import type { SharedLoaders } from '../loaders';
import { isRemovedForSubscriber, subscribersRemovedFrom } from '../moderation/feed-visibility';
import type { PollReadService } from '../poll/poll-reads.service';
import { maySeeTallies } from '../poll/poll-results';
import type { Post } from '../post/post.entity';
import { BREAKDOWN_DIMENSIONS, BreakdownDimension } from './breakdown.entity';
import type { PollResultsBreakdown } from './breakdown.types';
import { buildBreakdown } from './breakdown-view';

interface BreakdownSubscriber extends FeedSubscriber<PollResultsBreakdown> {
  lastVersion: number;
  lastHidden: boolean | null;
}

export interface BreakdownFeedDeps {
  findPosts(ids: readonly number[]): Promise<Post[]>;
  liveBreakdownState: PollReadService['liveBreakdownState'];
  createSharedLoaders(): SharedLoaders;
  minGroupSize: number;
}

/** One flush target per poll and dimension. */
const targetOf = (pollId: number, dimension: BreakdownDimension) => pollId * BREAKDOWN_DIMENSIONS.length + BREAKDOWN_DIMENSIONS.indexOf(dimension);
const pollOf = (target: number) => Math.floor(target / BREAKDOWN_DIMENSIONS.length);
const dimensionOf = (target: number) => BREAKDOWN_DIMENSIONS[target % BREAKDOWN_DIMENSIONS.length];

export class PollBreakdownFeed extends LiveFeed<PollResultsBreakdown, BreakdownSubscriber> {
  constructor(
    private readonly deps: BreakdownFeedDeps,
    registry: SubscriptionRegistry,
    intervalMs: number,
    logger: Logger,
  ) {
    super('pollBreakdownUpdated', registry, intervalMs, logger);
  }

  async subscribe(
    viewerId: number | null,
    registration: Registration | null,
    pollId: number,
    dimension: BreakdownDimension,
  ): Promise<LiveQueue<PollResultsBreakdown>> {
    const poll = (await this.deps.findPosts([pollId]))[0];
    if (!poll || poll.deletedAt !== null || poll.kind !== 'POLL') throw new NotFoundError('Poll', 'pollId');
    if (await isRemovedForSubscriber(() => this.deps.createSharedLoaders(), viewerId, poll)) throw new NotFoundError('Poll', 'pollId');
    const target = targetOf(poll.id, dimension);
    const subscriber: BreakdownSubscriber = {
      viewerId,
      lastVersion: -1,
      lastHidden: null,
      queue: this.createQueue(target, registration, () => subscriber, { kind: 'latest' }),
    };
    // Joined first: from here on every change event schedules a flush that reaches this subscriber.
    this.join(target, subscriber);
    await this.undoOnFailure(subscriber, () => this.flush(target, subscriber));
    return subscriber.queue;
  }

  /** The poll changed (a vote, a close, an edit, a deletion): both dimensions are flushed if watched. */
  pollChanged(pollId: number): void {
    for (const dimension of BREAKDOWN_DIMENSIONS) this.schedule(targetOf(pollId, dimension));
  }

  protected async flush(target: number, only?: BreakdownSubscriber): Promise<void> {
    let subscribers = this.audience(target, only).filter((subscriber) => !subscriber.queue.isEnded);
    if (subscribers.length === 0) return;
    const pollId = pollOf(target);
    const now = new Date();
    // Who of the audience has a vote matters only for ON_VOTE polls; asked for every signed-in subscriber (one query).
    const members = [...new Set(subscribers.map((subscriber) => subscriber.viewerId).filter((id): id is number => id !== null))];
    const state = await this.deps.liveBreakdownState(pollId, members, now);
    if (!state || state.poll.deletedAt !== null) {
      this.end(subscribers, { error: () => new NotFoundError('Poll', 'pollId') });
      return;
    }
    const gone = await subscribersRemovedFrom(this.deps.createSharedLoaders(), subscribers, state.poll);
    if (gone.length > 0) {
      this.end(gone, { error: () => new NotFoundError('Poll', 'pollId') });
      subscribers = subscribers.filter((subscriber) => !gone.includes(subscriber));
    }
    const build = (visible: boolean) =>
      buildBreakdown({
        poll: state.poll,
        options: state.options,
        dimension: dimensionOf(target),
        source: state.source,
        visible,
        now,
        minGroupSize: this.deps.minGroupSize,
      });
    let visible: PollResultsBreakdown | null = null;
    let hidden: PollResultsBreakdown | null = null;
    const cohorts = new Map<PollResultsBreakdown, BreakdownSubscriber[]>();
    for (const subscriber of subscribers) {
      const viewerId = subscriber.viewerId;
      const canSee = maySeeTallies(state.poll, viewerId, viewerId !== null && state.voters.has(viewerId), now);
      // Built once per class; a hidden payload carries no figure at all.
      const breakdown = canSee ? (visible ??= build(true)) : (hidden ??= build(false));
      if (breakdown.version < subscriber.lastVersion) continue;
      if (breakdown.version === subscriber.lastVersion && breakdown.isHidden === subscriber.lastHidden) continue;
      subscriber.lastVersion = breakdown.version;
      subscriber.lastHidden = breakdown.isHidden;
      const cohort = cohorts.get(breakdown);
      if (cohort) cohort.push(subscriber);
      else cohorts.set(breakdown, [subscriber]);
    }
    for (const [breakdown, cohort] of cohorts) this.deliver(cohort, breakdown);
  }
}
