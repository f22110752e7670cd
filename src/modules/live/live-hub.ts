/**
 * The live API's fan-out: routes "X changed" domain events to the feed of
 * each subscription field, at a cost that does not grow with the audience.
 *
 * - Events are small notifications published after commit ("poll 7 changed",
 *   "post 3 has comments up to 42"); they carry no state, so another process
 *   could send them, and nothing stale is ever pushed.
 * - Each field has its feed (one file each, with its own guarantees):
 *   poll/poll-results.feed.ts, post/post-stats.feed.ts,
 *   post/post-updated.feed.ts, comment/comment-added.feed.ts,
 *   comment/comment-updated.feed.ts, report/moderation-queue.feed.ts
 *   (moderators only); the generic subscriber bookkeeping and
 *   conflation are src/realtime/live-feed.ts.
 * - A post's deletion (postChanged) ends every feed of it: postUpdated with a
 *   last `post: null` message, the others with NOT_FOUND. Its removal
 *   (moderation, also postChanged) does the same for every subscriber but
 *   its author and moderators (roles read in one query per flush).
 * - Adding a live field means adding a feed and routing its events here.
 */
import type { Logger } from '../../logger';
import type { DomainEventBus } from '../../realtime/domain-events';
import type { LiveMessageCounts } from '../../realtime/live-queue';
import { SubscriptionRegistry } from '../../realtime/subscription-registry';
import { CommentAddedFeed } from '../comment/comment-added.feed';
import { CommentUpdatedFeed } from '../comment/comment-updated.feed';
import type { CommentService } from '../comment/comment.service';
import type { DomainEvent } from '../events';
import type { Loaders, SharedLoaders } from '../loaders';
import { PollBreakdownFeed } from '../insights/breakdown.feed';
import { PollResultsFeed } from '../poll/poll-results.feed';
import type { PollReadService } from '../poll/poll-reads.service';
import { PostStatsFeed } from '../post/post-stats.feed';
import { PostUpdatedFeed } from '../post/post-updated.feed';
import type { PostService } from '../post/post.service';
import { ModerationQueueFeed } from '../report/moderation-queue.feed';
import type { ReportService } from '../report/report.service';

export interface LiveHubOptions {
  intervalMs: number;
  maxBacklog: number;
  /** k of poll breakdowns (INSIGHTS_MIN_GROUP_SIZE). */
  minGroupSize: number;
}

/** What the feeds read: the services' reads, and loaders for pushed comments. */
export interface LiveHubDeps {
  posts: Pick<PostService, 'findByIds'>;
  polls: Pick<PollReadService, 'liveState' | 'liveBreakdownState'>;
  comments: Pick<CommentService, 'afterSeq' | 'findByIds'>;
  /** The moderation queue's numbered changes. */
  reports: Pick<ReportService, 'latestQueueSeq' | 'queueChangesAfter'>;
  createSharedLoaders(): SharedLoaders;
  /** One viewer's loaders over shared ones (viewer flags of pushed comments). */
  withViewer(shared: SharedLoaders, viewerId: number | null): Loaders;
}

export class LiveHub {
  readonly registry = new SubscriptionRegistry();
  readonly pollResults: PollResultsFeed;
  readonly pollBreakdowns: PollBreakdownFeed;
  readonly postStats: PostStatsFeed;
  readonly commentAdded: CommentAddedFeed;
  readonly postUpdated: PostUpdatedFeed;
  readonly commentUpdated: CommentUpdatedFeed;
  readonly moderationQueue: ModerationQueueFeed;
  private unsubscribeEvents: () => void = () => {};

  constructor(
    private readonly deps: LiveHubDeps,
    private readonly events: DomainEventBus<DomainEvent>,
    options: LiveHubOptions,
    logger: Logger,
  ) {
    const findPosts = (ids: readonly number[]) => deps.posts.findByIds(ids);
    this.pollResults = new PollResultsFeed(
      { findPosts, liveState: (pollId, members) => deps.polls.liveState(pollId, members), createSharedLoaders: deps.createSharedLoaders },
      this.registry,
      options.intervalMs,
      logger,
    );
    this.pollBreakdowns = new PollBreakdownFeed(
      {
        findPosts,
        liveBreakdownState: (pollId, members, now) => deps.polls.liveBreakdownState(pollId, members, now),
        createSharedLoaders: deps.createSharedLoaders,
        minGroupSize: options.minGroupSize,
      },
      this.registry,
      options.intervalMs,
      logger,
    );
    this.postStats = new PostStatsFeed({ findPosts, createSharedLoaders: deps.createSharedLoaders }, this.registry, options.intervalMs, logger);
    // Comments are not conflated away (every one is delivered); batching them per interval only saves reads.
    this.commentAdded = new CommentAddedFeed(
      {
        findPosts,
        commentsAfterSeq: (postId, afterSeq, limit) => deps.comments.afterSeq(postId, afterSeq, limit),
        createSharedLoaders: deps.createSharedLoaders,
      },
      this.registry,
      options,
      logger,
    );
    this.postUpdated = new PostUpdatedFeed({ findPosts, createSharedLoaders: deps.createSharedLoaders }, this.registry, options.intervalMs, logger);
    this.commentUpdated = new CommentUpdatedFeed(
      { findPosts, findComments: (ids) => deps.comments.findByIds(ids), createSharedLoaders: deps.createSharedLoaders },
      this.registry,
      options,
      logger,
    );
    // Every change is delivered (a numbered log, like comments); batching per interval only saves reads.
    this.moderationQueue = new ModerationQueueFeed(
      {
        latestSeq: () => deps.reports.latestQueueSeq(),
        changesAfter: (seq, limit) => deps.reports.queueChangesAfter(seq, limit),
        createSharedLoaders: deps.createSharedLoaders,
      },
      this.registry,
      options,
      logger,
    );
  }

  /** Starts listening to domain events. */
  start(): void {
    this.unsubscribeEvents();
    this.unsubscribeEvents = this.events.subscribe((event) => this.onEvent(event));
  }

  /** Fresh shared loaders, for a payload whose item carries none (read only if one of its fields asks). */
  createSharedLoaders(): SharedLoaders {
    return this.deps.createSharedLoaders();
  }

  /** The loaders a pushed comment resolves with for one subscriber: the flush's shared ones plus the viewer's own. */
  loadersFor(shared: SharedLoaders, viewerId: number | null): Loaders {
    return this.deps.withViewer(shared, viewerId);
  }

  /** Subscriber counts per feed, for tests and metrics: everything returns to 0 when clients leave. */
  feedSizes(): {
    polls: number;
    breakdowns: number;
    stats: number;
    comments: number;
    postUpdates: number;
    commentUpdates: number;
    moderationQueue: number;
    registry: number;
  } {
    return {
      polls: this.pollResults.size,
      breakdowns: this.pollBreakdowns.size,
      stats: this.postStats.size,
      comments: this.commentAdded.size,
      postUpdates: this.postUpdated.size,
      commentUpdates: this.commentUpdated.size,
      moderationQueue: this.moderationQueue.size,
      registry: this.registry.size,
    };
  }

  /** Messages sent and dropped per subscription field (metrics). */
  messageCounts(): Array<{ field: string; counts: LiveMessageCounts }> {
    return this.feeds().map((feed) => ({ field: feed.field, counts: feed.messages }));
  }

  /**
   * Events may have been lost (Redis pub/sub is at-most-once): push fresh
   * state to every subscriber of this instance. Poll results, stats and
   * posts (postUpdated) are re-read and sent when they differ from what a
   * subscriber has; new comments are re-read after each subscriber's last
   * sequence number. commentUpdated cannot know which comments changed
   * meanwhile (events name them, and those were lost): it re-reads none,
   * only whether the post still exists; every feed ends if it was deleted.
   * The moderation queue re-reads its changes after each subscriber's last one, and their roles.
   */
  resync(): void {
    for (const feed of this.feeds()) feed.resync();
  }

  stop(): void {
    this.unsubscribeEvents();
    for (const feed of this.feeds()) feed.stop();
  }

  private feeds() {
    return [this.pollResults, this.pollBreakdowns, this.postStats, this.commentAdded, this.postUpdated, this.commentUpdated, this.moderationQueue];
  }

  private onEvent(event: DomainEvent): void {
    // Scheduled even without subscribers: one may be registering right now, and the flush checks who is there.
    if (event.type === 'pollResultsChanged') this.pollResultsChanged(event.pollId);
    else if (event.type === 'postStatsChanged') this.postStats.schedule(event.postId);
    else if (event.type === 'commentAdded') this.commentAdded.commentCommitted(event.postId, event.seq);
    else if (event.type === 'commentChanged') this.commentUpdated.commentChanged(event.postId, event.commentId);
    else if (event.type === 'postChanged') this.postChanged(event.postId);
    else if (event.type === 'reportQueueChanged') this.moderationQueue.changesCommitted(event.seq);
    else if (event.type === 'memberRoleChanged') this.moderationQueue.roleChanged(event.memberId);
  }

  /** A poll's results changed (or the poll itself): its results and breakdowns are pushed. */
  private pollResultsChanged(pollId: number): void {
    this.pollResults.schedule(pollId);
    this.pollBreakdowns.pollChanged(pollId);
  }

  /** The post itself changed: its state is pushed, and every feed of it looks whether it was deleted (and then ends). */
  private postChanged(postId: number): void {
    this.postUpdated.schedule(postId);
    // Stats and results read the post on every flush anyway; the comment feeds read it only when asked.
    this.postStats.schedule(postId);
    this.pollResultsChanged(postId);
    this.commentAdded.postChanged(postId);
    this.commentUpdated.postChanged(postId);
  }
}
