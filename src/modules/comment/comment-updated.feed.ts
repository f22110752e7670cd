/**
 * commentUpdated: the post's existing comments and replies, each time one
 * changes (edited, deleted, its upvotes...), in its new state.
 *
 * - First message: none (new comments come from commentAdded).
 * - Events carry only "comment C of post P changed"; the changed comments
 *   are gathered per post and read in one query per flush, for the whole
 *   audience, at most once per post per conflation interval.
 * - Conflated per comment, never across comments: a 'latestPerKey' queue
 *   keeps, per subscriber, the latest unsent state of each changed comment,
 *   so a slow client gets every changed comment once in its final state.
 *   More than LIVE_MAX_BACKLOG different comments waiting for one client end
 *   its subscription with SLOW_CONSUMER.
 * - Order: flushes of one post never overlap (the conflator runs one at a
 *   time per post) and this feed has no first-message read, so each read
 *   starts after the previous one ended: a comment's messages never go back.
 * - End: a subscription whose post is deleted ends with NOT_FOUND. The post
 *   is read only when postChanged or a resync asks for it, not per comment.
 * - Lost events (Redis outage): which comments changed meanwhile is unknown,
 *   so a resync re-reads none of them (only whether the post still exists);
 *   a client that must be exact re-reads the comments it shows.
 * - Each message's fields resolve with loaders shared by every subscriber of
 *   the flush (the caller adds the viewer's own on delivery).
 * - Moderation: every subscriber's role is read once per flush (one query,
 *   primed into the flush's memberById loader) and Comment.body and author
 *   resolve from it: a hidden or removed comment reaches a subscriber who is
 *   neither its author nor a moderator with body "" (and, removed, author
 *   null), never its text. A post removed for a subscriber ends their
 *   subscription with NOT_FOUND, as a deletion does; subscribing to one is
 *   NOT_FOUND.
 */
import { ClientError, ErrorCode, NotFoundError } from '../../graphql/errors';
import type { Logger } from '../../logger';
import { FeedSubscriber, LiveFeed, Registration } from '../../realtime/live-feed';
import type { LiveQueue } from '../../realtime/live-queue';
import type { SubscriptionRegistry } from '../../realtime/subscription-registry';
import type { SharedLoaders } from '../loaders';
import type { Post } from '../post/post.entity';
import { ANONYMOUS, contentViewersOf, isRemovedFor } from '../moderation/visibility';
import type { Comment } from './comment.entity';

/** One message: the comment in its new state, and the loaders its fields resolve with. */
export interface CommentUpdateItem {
  comment: Comment;
  shared: SharedLoaders;
}

type CommentUpdateSubscriber = FeedSubscriber<CommentUpdateItem>;

export interface CommentUpdatedFeedDeps {
  findPosts(ids: readonly number[]): Promise<Post[]>;
  findComments(ids: readonly number[]): Promise<Comment[]>;
  /** Loaders for one flush's messages, shared by all its subscribers. */
  createSharedLoaders(): SharedLoaders;
}

export class CommentUpdatedFeed extends LiveFeed<CommentUpdateItem, CommentUpdateSubscriber> {
  /** Comments changed since the last flush, per post. */
  private readonly changed = new Map<number, Set<number>>();
  /** Posts whose existence the next flush checks (postChanged, resync). */
  private readonly postChecks = new Set<number>();

  constructor(
    private readonly deps: CommentUpdatedFeedDeps,
    registry: SubscriptionRegistry,
    private readonly options: { intervalMs: number; maxBacklog: number },
    logger: Logger,
  ) {
    super('commentUpdated', registry, options.intervalMs, logger);
  }

  /** Comment `commentId` of `postId` changed. Noted even without subscribers: one may be joining; the flush forgets it. */
  commentChanged(postId: number, commentId: number): void {
    this.note(postId, commentId);
    this.schedule(postId);
  }

  /** The post itself changed (perhaps deleted): its watchers' next flush checks it. */
  postChanged(postId: number): void {
    if (!this.isWatched(postId)) return;
    this.postChecks.add(postId);
    this.schedule(postId);
  }

  protected onResync(postId: number): void {
    this.postChecks.add(postId);
  }

  protected onLastLeft(postId: number): void {
    this.changed.delete(postId);
    this.postChecks.delete(postId);
  }

  /** `typeName`: the post type the client's id named. */
  async subscribe(
    viewerId: number | null,
    registration: Registration | null,
    target: { postId: number; typeName: string },
  ): Promise<LiveQueue<CommentUpdateItem>> {
    const { postId, typeName } = target;
    const subscriber: CommentUpdateSubscriber = {
      viewerId,
      queue: this.createQueue(postId, registration, () => subscriber, {
        kind: 'latestPerKey',
        keyOf: (item) => item.comment.id,
        maxBacklog: this.options.maxBacklog,
        overflowError: () => this.slowConsumerError(),
      }),
    };
    // Joined before the post is read: a change committed meanwhile is pushed, never lost in between.
    this.join(postId, subscriber);
    await this.undoOnFailure(subscriber, async () => {
      const post = (await this.deps.findPosts([postId]))[0];
      if (!post || post.deletedAt !== null || post.typeName !== typeName) throw new NotFoundError('Post', 'postId');
      if (post.moderationState === 'REMOVED') {
        // The role as it is now, not as it was when the socket connected.
        const viewer = viewerId === null ? ANONYMOUS : ((await contentViewersOf(this.deps.createSharedLoaders(), [viewerId])).get(viewerId) ?? ANONYMOUS);
        if (isRemovedFor(viewer, post)) throw new NotFoundError('Post', 'postId');
      }
    });
    return subscriber.queue;
  }

  protected async flush(postId: number): Promise<void> {
    const ids = this.changed.get(postId);
    this.changed.delete(postId);
    const check = this.postChecks.delete(postId);
    let subscribers = this.audience(postId).filter((subscriber) => !subscriber.queue.isEnded);
    if (subscribers.length === 0) return;
    try {
      const post = check ? (await this.deps.findPosts([postId]))[0] : undefined;
      if (check && (!post || post.deletedAt !== null)) {
        this.end(subscribers, { error: () => new NotFoundError('Post', 'postId') });
        return;
      }
      const removed = post !== undefined && post.moderationState === 'REMOVED';
      if (!removed && (!ids || ids.size === 0)) return;
      const shared = this.deps.createSharedLoaders();
      const rows = !ids || ids.size === 0 ? [] : (await this.deps.findComments([...ids])).filter((row) => row.postId === postId).sort((a, b) => a.seq - b.seq);
      // Every subscriber's role in one query, primed for the messages' fields (see the header), with the comments' authors.
      const viewers = await contentViewersOf(
        shared,
        subscribers.map((subscriber) => subscriber.viewerId),
        rows.map((row) => row.authorId),
      );
      if (removed) {
        const gone = subscribers.filter((subscriber) =>
          isRemovedFor(subscriber.viewerId === null ? ANONYMOUS : (viewers.get(subscriber.viewerId) ?? ANONYMOUS), post),
        );
        if (gone.length > 0) this.end(gone, { error: () => new NotFoundError('Post', 'postId') });
        subscribers = subscribers.filter((subscriber) => !gone.includes(subscriber));
      }
      for (const row of rows) shared.commentById.prime(row.id, row);
      // Every subscriber gets every changed comment: one payload per comment for the whole audience.
      for (const row of rows) this.deliver(subscribers, { comment: row, shared });
    } catch (error) {
      // Kept for the next flush (the next change), not forgotten; not rescheduled, or a database
      // outage would retry every interval.
      if (check) this.postChecks.add(postId);
      if (ids) for (const id of ids) this.note(postId, id);
      throw error;
    }
  }

  private note(postId: number, commentId: number): void {
    let ids = this.changed.get(postId);
    if (!ids) {
      ids = new Set();
      this.changed.set(postId, ids);
    }
    ids.add(commentId);
  }

  private slowConsumerError(): ClientError {
    return new ClientError(
      `More than ${this.options.maxBacklog} changed comments waited for this subscription, which was ended; subscribe again and re-read the comments.`,
      ErrorCode.SLOW_CONSUMER,
    );
  }
}
