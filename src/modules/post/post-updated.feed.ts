/**
 * postUpdated: a post's own state (title, text, options, topics, closed...)
 * as each subscriber may see it.
 *
 * - First message: the current state, at once.
 * - Then: after changes of the post (postChanged), the latest state, at most
 *   one message per post per conflation interval; an unsent message is
 *   replaced by a newer one (a 'latest' queue), so a slow client gets the
 *   final state, never a backlog. A state a subscriber already has is not
 *   sent again (counters are not part of it: postStatsUpdated pushes them),
 *   so a resync after lost events sends only what differs.
 * - Order: reads are numbered as they start; an older read finishing later
 *   is never pushed over a newer one.
 * - End: once the post is deleted, one last message `{ postId, post: null }`,
 *   then `complete`. An unknown or deleted post at subscribe is NOT_FOUND.
 * - Cost: one read of the post, its topics and (a poll) its options per
 *   flush, and one payload for every subscriber, whatever the audience. Its
 *   fields resolve with loaders shared by the flush's subscribers; the caller
 *   adds each viewer's own on delivery (viewerHasUpvoted...). Every reader of
 *   a post sees the same post today; withheld text (moderation) would make
 *   one payload per visibility class here, as pollResultsUpdated does.
 */
import { NotFoundError } from '../../graphql/errors';
import type { Logger } from '../../logger';
import { FeedSubscriber, LiveFeed, Registration } from '../../realtime/live-feed';
import type { SubscriptionRegistry } from '../../realtime/subscription-registry';
import type { SharedLoaders } from '../loaders';
import type { PollOption } from '../poll/poll-option.entity';
import type { Topic } from '../topic/topic.entity';
import { PostUpdate } from './post-update.types';
import type { Post } from './post.entity';

/** One message: the payload, and the loaders its fields resolve with. */
export interface PostUpdateItem {
  update: PostUpdate;
  shared: SharedLoaders;
}

interface PostUpdateSubscriber extends FeedSubscriber<PostUpdateItem> {
  /** The post's global id as subscribed to (the last message names it even if the row were gone). */
  postGlobalId: string;
  /** The state last pushed (stateKey), or null before the first message. */
  last: string | null;
  /** Number of the newest read pushed to this subscriber: an older read finishing later is not pushed over it. */
  lastRead: number;
}

export interface PostUpdatedFeedDeps {
  findPosts(ids: readonly number[]): Promise<Post[]>;
  /** Loaders for one flush's payload, shared by all its subscribers. */
  createSharedLoaders(): SharedLoaders;
}

/** Columns that are counters or derived: they change without the post changing (postStatsUpdated and pollResultsUpdated push them). */
const NOT_STATE = new Set<string>([
  'viewCount',
  'upvoteCount',
  'commentCount',
  'commentSeq',
  'participantCount',
  'totalVotes',
  'resultsVersion',
  'resultsUpdatedAt',
  'searchText',
]);

/**
 * What a subscriber has seen of the post: every column but the counters (so a column added later,
 * say a lock, counts without anyone remembering to add it here), its topics and its options.
 */
function stateKey(post: Post, topics: readonly Topic[], options: readonly PollOption[] | null): string {
  const columns = Object.entries(post).filter(([column]) => !NOT_STATE.has(column));
  return JSON.stringify([columns, topics.map((topic) => topic.id), options?.map((option) => [option.id, option.label])]);
}

export class PostUpdatedFeed extends LiveFeed<PostUpdateItem, PostUpdateSubscriber> {
  /** Counter numbering reads (see PostUpdateSubscriber.lastRead). */
  private reads = 0;

  constructor(
    private readonly deps: PostUpdatedFeedDeps,
    registry: SubscriptionRegistry,
    intervalMs: number,
    logger: Logger,
  ) {
    super('postUpdated', registry, intervalMs, logger);
  }

  /**
   * `typeName`: the post type the client's id named (a poll's id named as a thread's is NOT_FOUND);
   * `onDeliver` runs as each message is handed to the client (the caller resolves its fields for the viewer).
   */
  async subscribe(
    viewerId: number | null,
    registration: Registration | null,
    target: { postId: number; typeName: string },
    onDeliver: (item: PostUpdateItem) => void,
  ): Promise<AsyncIterable<PostUpdateItem>> {
    const post = (await this.deps.findPosts([target.postId]))[0];
    if (!post || post.deletedAt !== null || post.typeName !== target.typeName) throw new NotFoundError('Post', 'postId');
    const subscriber: PostUpdateSubscriber = {
      viewerId,
      postGlobalId: post.globalId,
      last: null,
      lastRead: 0,
      queue: this.createQueue(post.id, registration, () => subscriber, { kind: 'latest' }, onDeliver),
    };
    this.join(post.id, subscriber);
    await this.undoOnFailure(subscriber, () => this.flush(post.id, subscriber));
    return subscriber.queue;
  }

  protected async flush(postId: number, only?: PostUpdateSubscriber): Promise<void> {
    const subscribers = this.audience(postId, only).filter((subscriber) => !subscriber.queue.isEnded);
    if (subscribers.length === 0) return;
    const read = ++this.reads;
    const post = (await this.deps.findPosts([postId]))[0];
    const shared = this.deps.createSharedLoaders();
    if (!post || post.deletedAt !== null) {
      // Deletion is final: whatever an older read found, this is the last word for everyone here.
      this.end(subscribers, { last: { update: new PostUpdate(subscribers[0].postGlobalId, null), shared } });
      return;
    }
    shared.postById.prime(post.id, post);
    // Read through the shared loaders: a subscriber selecting topics or options resolves them from this same read.
    const [topics, options] = await Promise.all([
      shared.topicsByPostId.load(post.id),
      post.kind === 'POLL' ? shared.optionsByPollId.load(post.id) : Promise.resolve(null),
    ]);
    const key = stateKey(post, topics, options);
    const cohort: PostUpdateSubscriber[] = [];
    for (const subscriber of subscribers) {
      if (read < subscriber.lastRead) continue;
      subscriber.lastRead = read;
      if (subscriber.last === key) continue;
      subscriber.last = key;
      cohort.push(subscriber);
    }
    this.deliver(cohort, { update: new PostUpdate(post.globalId, post), shared });
  }
}
