/**
 * postStatsUpdated: a post's counters (views, upvotes, comments).
 *
 * - First message: the current counters, at once.
 * - Then: the latest counters after changes, conflated like poll results (a
 *   'latest' queue: a slow client gets the final state, never a backlog).
 * - Order: counters have no version, so reads are numbered as they start and
 *   an older read finishing later is never pushed over a newer one; unchanged
 *   counters are not sent again.
 * - End: once the post is deleted, the next flush (postChanged schedules
 *   one) ends every subscription with NOT_FOUND.
 * - Moderation: a removed post is deleted for everyone but its author and
 *   moderators: the flush that finds it REMOVED ends exactly the others'
 *   subscriptions with NOT_FOUND and keeps the author's and moderators';
 *   subscribing to a post removed for the viewer is NOT_FOUND. Roles are
 *   read from the database (one query for all subscribers, and only while
 *   the post is REMOVED), never from the connect-time viewer.
 * - Cost: one read per flush (plus that role read), one payload for every
 *   subscriber.
 */
import type { Logger } from '../../logger';
import { NotFoundError } from '../../graphql/errors';
import { FeedSubscriber, LiveFeed, Registration } from '../../realtime/live-feed';
import type { LiveQueue } from '../../realtime/live-queue';
import type { SubscriptionRegistry } from '../../realtime/subscription-registry';
import type { SharedLoaders } from '../loaders';
import { isRemovedForSubscriber, subscribersRemovedFrom } from '../moderation/feed-visibility';
import type { Post } from './post.entity';
import { PostStats } from './post.types';

interface StatsSubscriber extends FeedSubscriber<PostStats> {
  last: string | null;
  /** Number of the newest read pushed to this subscriber: an older read finishing later is not pushed over it. */
  lastRead: number;
}

export interface PostStatsFeedDeps {
  findPosts(ids: readonly number[]): Promise<Post[]>;
  /** Loaders whose memberById reads subscribers' roles (moderation). */
  createSharedLoaders(): SharedLoaders;
}

export class PostStatsFeed extends LiveFeed<PostStats, StatsSubscriber> {
  /** Counter numbering reads (see StatsSubscriber.lastRead). */
  private reads = 0;

  constructor(
    private readonly deps: PostStatsFeedDeps,
    registry: SubscriptionRegistry,
    intervalMs: number,
    logger: Logger,
  ) {
    super('postStatsUpdated', registry, intervalMs, logger);
  }

  /** `typeName`: the post type the client's id named (a poll's id named as a thread's is NOT_FOUND). */
  async subscribe(viewerId: number | null, registration: Registration | null, postId: number, typeName: string): Promise<LiveQueue<PostStats>> {
    const post = (await this.deps.findPosts([postId]))[0];
    if (!post || post.deletedAt !== null || post.typeName !== typeName) throw new NotFoundError('Post', 'postId');
    if (await isRemovedForSubscriber(() => this.deps.createSharedLoaders(), viewerId, post)) throw new NotFoundError('Post', 'postId');
    const subscriber: StatsSubscriber = {
      viewerId,
      last: null,
      lastRead: 0,
      queue: this.createQueue(post.id, registration, () => subscriber, { kind: 'latest' }),
    };
    this.join(post.id, subscriber);
    await this.undoOnFailure(subscriber, () => this.flush(post.id, subscriber));
    return subscriber.queue;
  }

  protected async flush(postId: number, only?: StatsSubscriber): Promise<void> {
    let subscribers = this.audience(postId, only).filter((subscriber) => !subscriber.queue.isEnded);
    if (subscribers.length === 0) return;
    const read = ++this.reads;
    const post = (await this.deps.findPosts([postId]))[0];
    if (!post || post.deletedAt !== null) {
      this.end(subscribers, { error: () => new NotFoundError('Post', 'postId') });
      return;
    }
    // Removed is deleted for everyone but its author and moderators (one role query for all, see the header).
    const gone = await subscribersRemovedFrom(this.deps.createSharedLoaders(), subscribers, post);
    if (gone.length > 0) {
      this.end(gone, { error: () => new NotFoundError('Post', 'postId') });
      subscribers = subscribers.filter((subscriber) => !gone.includes(subscriber));
    }
    const stats = new PostStats(post);
    const key = `${stats.viewCount}/${stats.upvoteCount}/${stats.commentCount}`;
    const cohort: StatsSubscriber[] = [];
    for (const subscriber of subscribers) {
      if (read < subscriber.lastRead) continue;
      subscriber.lastRead = read;
      if (subscriber.last === key) continue;
      subscriber.last = key;
      cohort.push(subscriber);
    }
    this.deliver(cohort, stats);
  }
}
