/**
 * commentAdded: every new comment or reply of a post, exactly once each, in
 * commit order.
 *
 * - First message: none for what exists already; with `after`, the comments
 *   after that cursor are replayed first. Replay and live delivery are one
 *   path: each subscriber remembers the sequence number of the last comment
 *   it was given and receives the rows after it (sequence numbers have no
 *   gaps: a rolled-back comment rolls its number back too).
 * - Events carry only "post P has comments up to S"; the rows are read from
 *   the database, at most once per flush for the whole audience.
 * - Nothing is dropped silently (a 'fifo' queue): at most LIVE_MAX_BACKLOG
 *   messages wait per subscriber; the rest stay in the database and are read
 *   again as the client drains. A subscriber whose queue stays full for
 *   STALL_MS while more comments wait is stalled: it is ended with
 *   SLOW_CONSUMER and resumes with `after`.
 * - Each message's fields are resolved with loaders shared by every
 *   subscriber of the flush (the caller adds the viewer's own on delivery).
 * - End: a subscription whose post is deleted ends with NOT_FOUND. The post
 *   is read only when postChanged or a resync asks for it, not per comment.
 * - Moderation: a removed post is deleted for everyone but its author and
 *   moderators: the flush that finds it REMOVED ends exactly the others'
 *   subscriptions with NOT_FOUND (the author's and moderators' go on), and
 *   subscribing to a post removed for the viewer is NOT_FOUND. A hidden or
 *   removed comment (a replay, or one moderated before the flush read it)
 *   reaches a subscriber who is neither its author nor a moderator without
 *   its text (Comment.body "", and removed, author null). Roles are read from
 *   the database, never from the connect-time viewer: one query for all
 *   subscribers of a flush (primed into its memberById loader, from which
 *   Comment.body and author resolve), and only when the flush has such a
 *   post or comment.
 */
import { ClientError, ErrorCode, NotFoundError, BadUserInputError } from '../../graphql/errors';
import type { Logger } from '../../logger';
import { FeedSubscriber, LiveFeed, Registration } from '../../realtime/live-feed';
import type { LiveQueue } from '../../realtime/live-queue';
import type { SubscriptionRegistry } from '../../realtime/subscription-registry';
import type { SharedLoaders } from '../loaders';
import { isRemovedForSubscriber, subscribersRemovedFrom } from '../moderation/feed-visibility';
import { ModerationState } from '../moderation/moderation.enums';
import { contentViewersOf } from '../moderation/visibility';
import type { Post } from '../post/post.entity';
import { CommentOrder } from './comment-order';
import type { Comment } from './comment.entity';
import { commentCursor } from './comment.service';
import { CommentEdge } from './comment.types';

/** A commentAdded queue full this long while more comments wait means the client is stalled (SLOW_CONSUMER). */
const STALL_MS = 1000;

/** The position of a subscriber that has joined but not yet read its post's sequence. */
const PROVISIONAL = Number.MAX_SAFE_INTEGER;

/** How many comment rows one flush reads; a longer backlog is read in further flushes. */
const COMMENT_BATCH = 500;

/** One message: the edge, and the loaders its fields resolve with. */
export interface CommentItem {
  edge: CommentEdge;
  shared: SharedLoaders;
}

interface CommentSubscriber extends FeedSubscriber<CommentItem> {
  /** The sequence number of the last comment handed to this subscriber's queue. */
  lastSeq: number;
  /** Since when the queue has been full (null while it has room): full for STALL_MS with more waiting = stalled. */
  fullSince: number | null;
}

export interface CommentAddedFeedDeps {
  findPosts(ids: readonly number[]): Promise<Post[]>;
  /** Comments and replies of a post after a sequence number, in sequence order. */
  commentsAfterSeq(postId: number, afterSeq: number, limit: number): Promise<Comment[]>;
  /** Loaders for one flush's messages, shared by all its subscribers. */
  createSharedLoaders(): SharedLoaders;
}

export class CommentAddedFeed extends LiveFeed<CommentItem, CommentSubscriber> {
  /** Highest comment sequence number seen per watched post; entries go with the post's last subscriber. */
  private readonly latestSeq = new Map<number, number>();
  /** Posts whose existence the next flush checks (postChanged, resync). */
  private readonly postChecks = new Set<number>();

  constructor(
    private readonly deps: CommentAddedFeedDeps,
    registry: SubscriptionRegistry,
    private readonly options: { intervalMs: number; maxBacklog: number },
    logger: Logger,
  ) {
    super('commentAdded', registry, options.intervalMs, logger);
  }

  /** A comment with sequence number `seq` was committed on `postId`. */
  commentCommitted(postId: number, seq: number): void {
    this.noteSeq(postId, seq);
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

  /**
   * `typeName`: the post type the client's id named; `afterSeq`: the sequence
   * number of the `after` cursor, or null.
   */
  async subscribe(
    viewerId: number | null,
    registration: Registration | null,
    target: { postId: number; typeName: string; afterSeq: number | null },
  ): Promise<LiveQueue<CommentItem>> {
    const { postId, typeName, afterSeq } = target;
    const subscriber: CommentSubscriber = {
      viewerId,
      // Provisional: receives nothing until its position is known (below).
      lastSeq: PROVISIONAL,
      fullSince: null,
      queue: this.createQueue(
        postId,
        registration,
        () => subscriber,
        { kind: 'fifo', maxBacklog: this.options.maxBacklog, overflowError: () => this.slowConsumerError() },
        () => {
          subscriber.fullSince = null;
          // Flow control: a subscriber that was left behind (replay, burst) gets the next rows once it has room.
          if (subscriber.queue.backlog <= this.options.maxBacklog / 2 && subscriber.lastSeq < (this.latestSeq.get(postId) ?? 0)) this.schedule(postId);
        },
      ),
    };
    // Joined before the post is read: an event for a comment committed meanwhile is noted (latestSeq),
    // so it cannot slip between reading the post's sequence and listening.
    this.join(postId, subscriber);
    await this.undoOnFailure(subscriber, async () => {
      const post = (await this.deps.findPosts([postId]))[0];
      if (!post || post.deletedAt !== null || post.typeName !== typeName) throw new NotFoundError('Post', 'postId');
      if (await isRemovedForSubscriber(() => this.deps.createSharedLoaders(), viewerId, post)) throw new NotFoundError('Post', 'postId');
      if (afterSeq !== null && afterSeq > post.commentSeq) throw new BadUserInputError('after', 'is not a cursor of a comment of this post.');
      // Without `after`: what exists now is not news. With it: replay what follows it.
      subscriber.lastSeq = afterSeq ?? post.commentSeq;
      this.noteSeq(postId, post.commentSeq);
    });
    if ((this.latestSeq.get(postId) ?? 0) > subscriber.lastSeq) this.schedule(postId);
    return subscriber.queue;
  }

  protected onLastLeft(postId: number): void {
    this.latestSeq.delete(postId);
    this.postChecks.delete(postId);
  }

  /**
   * Hands each subscriber the comments after its last one, in sequence
   * order, as far as its queue has room (at most LIVE_MAX_BACKLOG waiting).
   * Rows that do not fit stay in the database and are read again once the
   * client has taken some, so a replay of any length or a burst within one
   * interval never overflows a client that keeps reading.
   */
  protected async flush(postId: number): Promise<void> {
    let subscribers = this.audience(postId).filter((s) => !s.queue.isEnded);
    if (subscribers.length === 0) return;
    if (this.postChecks.delete(postId)) {
      subscribers = await this.endWhereGone(postId, subscribers);
      if (subscribers.length === 0) return;
    }
    this.endStalled(postId, subscribers);
    // A subscriber still reading its post (provisional position) takes nothing yet; alone it drove a
    // read after seq 2^53 - 1, which PostgreSQL refuses for an integer column.
    const receiving = subscribers.filter((s) => !s.queue.isEnded && this.room(s) > 0 && s.lastSeq !== PROVISIONAL);
    if (receiving.length === 0) return;

    const rows = await this.readAfter(postId, receiving);
    if (rows.length === 0) return;
    this.noteSeq(postId, Math.max(...rows.map((row) => row.seq)));
    const shared = this.deps.createSharedLoaders();
    for (const row of rows) shared.commentById.prime(row.id, row);
    if (rows.some((row) => row.moderationState !== ModerationState.VISIBLE)) {
      // Comment.body and author of a hidden or removed comment depend on each subscriber's role: every
      // role in one query (with the rows' authors), primed for the messages' fields (see the header).
      await contentViewersOf(
        shared,
        receiving.map((s) => s.viewerId),
        rows.map((row) => row.authorId),
      );
    }
    // Subscribers by the sequence number of their last comment: each row goes to the cohort whose last
    // comment is the one before it and that has room, which then moves on to it. A subscriber stops
    // when its queue is full, or at a gap between the two reads.
    const atSeq = new Map<number, CommentSubscriber[]>();
    const joinSeq = (seq: number, cohort: CommentSubscriber[]) => {
      const there = atSeq.get(seq);
      if (there) there.push(...cohort);
      else atSeq.set(seq, cohort);
    };
    for (const subscriber of receiving) joinSeq(subscriber.lastSeq, [subscriber]);
    for (const row of rows) {
      const cohort = (atSeq.get(row.seq - 1) ?? []).filter((s) => !s.queue.isEnded && this.room(s) > 0);
      if (cohort.length === 0) continue;
      for (const subscriber of cohort) subscriber.lastSeq = row.seq;
      this.deliver(cohort, { edge: toEdge(row), shared });
      joinSeq(row.seq, cohort);
    }
    let behind = false;
    for (const subscriber of receiving) {
      if (this.room(subscriber) <= 0) subscriber.fullSince ??= Date.now();
      else if (subscriber.lastSeq < (this.latestSeq.get(postId) ?? 0)) behind = true;
    }
    // Someone with room still has rows waiting in the database (a replay longer than a batch): read on.
    if (behind) this.schedule(postId);
  }

  /**
   * Reads the post (postChanged, resync): a deleted one ends every subscription, a removed one those of
   * everyone but its author and moderators (one role query for all). Returns the subscribers left.
   */
  private async endWhereGone(postId: number, subscribers: CommentSubscriber[]): Promise<CommentSubscriber[]> {
    try {
      const post = (await this.deps.findPosts([postId]))[0];
      const gone = !post || post.deletedAt !== null ? subscribers : await subscribersRemovedFrom(this.deps.createSharedLoaders(), subscribers, post);
      if (gone.length > 0) this.end(gone, { error: () => new NotFoundError('Post', 'postId') });
      return subscribers.filter((subscriber) => !gone.includes(subscriber));
    } catch (error) {
      this.postChecks.add(postId); // checked again on the next flush
      throw error;
    }
  }

  private room(subscriber: CommentSubscriber): number {
    return this.options.maxBacklog - subscriber.queue.backlog;
  }

  /** Ends subscribers whose queue has been full for STALL_MS while more comments wait; looks again later at those full for less. */
  private endStalled(postId: number, subscribers: CommentSubscriber[]): void {
    const latest = this.latestSeq.get(postId) ?? 0;
    const now = Date.now();
    let recheck = false;
    for (const subscriber of subscribers) {
      if (this.room(subscriber) > 0 || subscriber.lastSeq >= latest) continue;
      if (subscriber.fullSince === null || now - subscriber.fullSince < STALL_MS) {
        recheck = true; // full, perhaps only for a moment: look again once it could have been stalled long enough
        continue;
      }
      subscriber.queue.fail(this.slowConsumerError());
    }
    if (recheck) setTimeout(() => this.schedule(postId), STALL_MS).unref();
  }

  /**
   * Reads after the furthest-behind receiver; when that batch ends before others' positions (a long
   * replay), reads once more for them, so a laggard never holds up subscribers who are current.
   */
  private async readAfter(postId: number, receiving: CommentSubscriber[]): Promise<Comment[]> {
    const rows = await this.deps.commentsAfterSeq(postId, Math.min(...receiving.map((s) => s.lastSeq)), COMMENT_BATCH);
    if (rows.length === COMMENT_BATCH) {
      const end = rows[rows.length - 1].seq;
      const ahead = receiving.filter((s) => s.lastSeq >= end);
      if (ahead.length > 0) rows.push(...(await this.deps.commentsAfterSeq(postId, Math.min(...ahead.map((s) => s.lastSeq)), COMMENT_BATCH)));
    }
    return rows;
  }

  /** The highest comment sequence number known for a post (from events and reads). */
  private noteSeq(postId: number, seq: number): void {
    if (!this.isWatched(postId)) return; // nobody watches: nothing to remember
    if (seq > (this.latestSeq.get(postId) ?? 0)) this.latestSeq.set(postId, seq);
  }

  private slowConsumerError(): ClientError {
    return new ClientError(
      `This subscription fell more than ${this.options.maxBacklog} comments behind and was ended; subscribe again with \`after\` set to the last cursor received to resume.`,
      ErrorCode.SLOW_CONSUMER,
    );
  }
}

function toEdge(comment: Comment): CommentEdge {
  const edge = new CommentEdge();
  edge.node = comment;
  edge.cursor = commentCursor(comment, CommentOrder.OLDEST);
  return edge;
}
