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
 * - Moderation: each subscriber gets the post as they may see it, by
 *   visibility class (its author, moderators, everyone else), with roles
 *   read from the database on every flush (one query for all subscribers,
 *   primed into the flush's memberById loader, from which Thread.body,
 *   Poll.description and viewerCanModerate resolve), never from the
 *   connect-time viewer. A hidden post reaches everyone else without its
 *   text; a removed one ends their subscriptions like a deletion (a last
 *   `post: null`, then `complete`), while its author and moderators go on
 *   getting it. Subscribing to a post removed for the viewer is NOT_FOUND.
 * - Cost: one read of the post, its topics and (a poll) its options per
 *   flush, one read of the subscribers' roles, and one payload per
 *   visibility class, whatever the audience. Its fields resolve with loaders
 *   shared by the flush's subscribers; the caller adds each viewer's own on
 *   delivery (viewerHasUpvoted...).
 */
import { NotFoundError } from '../../graphql/errors';
import type { Logger } from '../../logger';
import { FeedSubscriber, LiveFeed, Registration } from '../../realtime/live-feed';
import type { LiveQueue } from '../../realtime/live-queue';
import type { SubscriptionRegistry } from '../../realtime/subscription-registry';
import type { SharedLoaders } from '../loaders';
import type { PollOption } from '../poll/poll-option.entity';
import type { Topic } from '../topic/topic.entity';
import { ANONYMOUS, ContentViewer, contentViewersOf, isRemovedFor, isWithheldFrom } from '../moderation/visibility';
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

/** Columns that are counters or derived: they change without the post changing (postStatsUpdated, pollResultsUpdated and pollBreakdownUpdated push them). */
const NOT_STATE = new Set<string>([
  'viewCount',
  'upvoteCount',
  'commentCount',
  'commentSeq',
  'participantCount',
  'totalVotes',
  'resultsVersion',
  'resultsUpdatedAt',
  'hiddenResultsVersion',
  'breakdownVersion',
  'participationChangedAt',
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

  /** `typeName`: the post type the client's id named (a poll's id named as a thread's is NOT_FOUND). */
  async subscribe(
    viewerId: number | null,
    registration: Registration | null,
    target: { postId: number; typeName: string },
  ): Promise<LiveQueue<PostUpdateItem>> {
    const post = (await this.deps.findPosts([target.postId]))[0];
    if (!post || post.deletedAt !== null || post.typeName !== target.typeName) throw new NotFoundError('Post', 'postId');
    if (post.moderationState === 'REMOVED') {
      // The role as it is now, not as it was when the socket connected.
      const viewer = viewerId === null ? ANONYMOUS : ((await contentViewersOf(this.deps.createSharedLoaders(), [viewerId])).get(viewerId) ?? ANONYMOUS);
      if (isRemovedFor(viewer, post)) throw new NotFoundError('Post', 'postId');
    }
    const subscriber: PostUpdateSubscriber = {
      viewerId,
      postGlobalId: post.globalId,
      last: null,
      lastRead: 0,
      queue: this.createQueue(post.id, registration, () => subscriber, { kind: 'latest' }),
    };
    this.join(post.id, subscriber);
    await this.undoOnFailure(subscriber, () => this.flush(post.id, subscriber));
    return subscriber.queue;
  }

  protected async flush(postId: number, only?: PostUpdateSubscriber): Promise<void> {
    let subscribers = this.audience(postId, only).filter((subscriber) => !subscriber.queue.isEnded);
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
    // Every subscriber's role in one query, primed for the payload's fields (see the header).
    const viewers = await contentViewersOf(
      shared,
      subscribers.map((subscriber) => subscriber.viewerId),
      [post.authorId],
    );
    const viewerOf = (subscriber: PostUpdateSubscriber): ContentViewer =>
      subscriber.viewerId === null ? ANONYMOUS : (viewers.get(subscriber.viewerId) ?? ANONYMOUS);
    if (post.moderationState === 'REMOVED') {
      // Removed is deleted for everyone but its author and moderators: their last word, as for a deletion.
      const gone = subscribers.filter((subscriber) => isRemovedFor(viewerOf(subscriber), post));
      if (gone.length > 0) this.end(gone, { last: { update: new PostUpdate(post.globalId, null), shared } });
      subscribers = subscribers.filter((subscriber) => !gone.includes(subscriber));
    }
    // Read through the shared loaders: a subscriber selecting topics or options resolves them from this same read.
    const [topics, options] = await Promise.all([
      shared.topicsByPostId.load(post.id),
      post.kind === 'POLL' ? shared.optionsByPollId.load(post.id) : Promise.resolve(null),
    ]);
    const state = stateKey(post, topics, options);
    // One cohort per visibility class: what the payload withholds, and viewerCanModerate.
    const cohorts = new Map<string, PostUpdateSubscriber[]>();
    for (const subscriber of subscribers) {
      if (read < subscriber.lastRead) continue;
      subscriber.lastRead = read;
      const viewer = viewerOf(subscriber);
      const visibility = `${isWithheldFrom(viewer, post) ? 'withheld' : 'full'}:${viewer.isModerator ? 'moderator' : 'member'}`;
      const key = `${visibility}:${state}`;
      if (subscriber.last === key) continue;
      subscriber.last = key;
      cohorts.set(visibility, [...(cohorts.get(visibility) ?? []), subscriber]);
    }
    for (const cohort of cohorts.values()) this.deliver(cohort, { update: new PostUpdate(post.globalId, post), shared });
  }
}
