/**
 * The live API's fan-out: from "X changed" domain events to the messages of
 * every subscriber, at a cost that does not grow with the audience.
 *
 * - Events are small notifications published after commit ("poll 7 changed",
 *   "post 3 has comments up to 42"); they carry no state, so another process
 *   could send them, and nothing stale is ever pushed.
 * - Per poll / post, a Conflator reads the current state from the database
 *   at most once per interval and builds the payload once per visibility
 *   class; each subscriber's LiveQueue keeps only the latest one unsent.
 * - Comments are read by sequence number: each subscriber remembers the last
 *   number it was given and receives the rows after it, once each, in commit
 *   order. Replay (`after`) is the same path starting lower, so there is no
 *   seam between replay and live.
 */
import { BadUserInputError, ClientError, ErrorCode, NotFoundError } from '../../graphql/errors';
import { decodeIdOf } from '../../graphql/global-id';
import type { Logger } from '../../logger';
import { Conflator } from '../../realtime/conflator';
import type { DomainEvent, DomainEventBus } from '../../realtime/domain-events';
import { LiveQueue } from '../../realtime/live-queue';
import { SubscriptionRegistry } from '../../realtime/subscription-registry';
import { CommentOrder } from '../comment/comment-order';
import type { Comment } from '../comment/comment.entity';
import { commentCursor, seqOfCursor } from '../comment/comment.service';
import { CommentEdge } from '../comment/comment.types';
import type { RequestContext } from '../context';
import { createSharedLoaders, SharedLoaders, withViewer } from '../loaders';
import { buildPollResults, maySeeTallies, PollResults } from '../poll/poll-results';
import type { Post } from '../post/post.entity';
import { PostStats } from '../post/post.types';
import type { Services } from '../services';

export interface LiveHubOptions {
  intervalMs: number;
  maxBacklog: number;
}

/** A commentAdded queue full this long while more comments wait means the client is stalled (SLOW_CONSUMER). */
const STALL_MS = 1000;

/** How many comment rows one flush reads; a longer backlog is read in further flushes. */
const COMMENT_BATCH = 500;

interface Subscriber<T> {
  viewerId: number | null;
  queue: LiveQueue<T>;
}

interface PollSubscriber extends Subscriber<PollResults> {
  lastVersion: number;
  lastHidden: boolean | null;
  /** What never changes about the poll (read when subscribing): who may see the tallies depends on votes only for ON_VOTE. */
  poll: Pick<Post, 'authorId' | 'resultsVisibility'>;
}

interface StatsSubscriber extends Subscriber<PostStats> {
  last: string | null;
  /** Number of the newest read pushed to this subscriber: an older read finishing later is not pushed over it. */
  lastRead: number;
}

interface CommentItem {
  edge: CommentEdge;
  shared: SharedLoaders;
}

interface CommentSubscriber extends Subscriber<CommentItem> {
  /** The sequence number of the last comment handed to this subscriber's queue. */
  lastSeq: number;
  /** Since when the queue has been full (null while it has room): full for STALL_MS with more waiting = stalled. */
  fullSince: number | null;
}

export class LiveHub {
  readonly registry = new SubscriptionRegistry();
  private readonly pollSubscribers = new Map<number, Set<PollSubscriber>>();
  private readonly statsSubscribers = new Map<number, Set<StatsSubscriber>>();
  private readonly commentSubscribers = new Map<number, Set<CommentSubscriber>>();
  /** Counter numbering post-stats reads (see StatsSubscriber.lastRead). */
  private statsReads = 0;
  /** Highest comment sequence number seen per watched post; entries go with the post's last subscriber. */
  private readonly latestSeq = new Map<number, number>();
  private readonly pollFlushes: Conflator<number>;
  private readonly statsFlushes: Conflator<number>;
  private readonly commentFlushes: Conflator<number>;
  private readonly unsubscribeEvents: () => void;

  constructor(
    private readonly services: Services,
    events: DomainEventBus,
    private readonly options: LiveHubOptions,
    private readonly logger: Logger,
  ) {
    const onError = (what: string) => (error: unknown, key: number) => this.logger.error(`live ${what} flush failed`, { key, error });
    this.pollFlushes = new Conflator(options.intervalMs, (pollId) => this.flushPoll(pollId), onError('poll results'));
    this.statsFlushes = new Conflator(options.intervalMs, (postId) => this.flushStats(postId), onError('post stats'));
    // Comments are not conflated away (every one is delivered); batching them per interval only saves reads.
    this.commentFlushes = new Conflator(options.intervalMs, (postId) => this.flushComments(postId), onError('comments'));
    this.unsubscribeEvents = events.subscribe((event) => this.onEvent(event));
  }

  /** Subscriber counts per feed, for tests and metrics: everything returns to 0 when clients leave. */
  feedSizes(): { polls: number; stats: number; comments: number; registry: number } {
    const count = (feeds: Map<number, Set<unknown>>) => [...feeds.values()].reduce((sum, set) => sum + set.size, 0);
    return { polls: count(this.pollSubscribers), stats: count(this.statsSubscribers), comments: count(this.commentSubscribers), registry: this.registry.size };
  }

  /**
   * Events may have been lost (Redis pub/sub is at-most-once): push fresh
   * state to every subscriber of this instance. Poll results and stats are
   * re-read and sent when they differ from what a subscriber has; comments
   * are re-read after each subscriber's last sequence number.
   */
  resync(): void {
    for (const pollId of this.pollSubscribers.keys()) this.pollFlushes.schedule(pollId);
    for (const postId of this.statsSubscribers.keys()) this.statsFlushes.schedule(postId);
    // The flush reads whatever follows each subscriber's last comment, and learns the newest sequence number from it.
    for (const postId of this.commentSubscribers.keys()) this.commentFlushes.schedule(postId);
  }

  stop(): void {
    this.unsubscribeEvents();
    for (const conflator of [this.pollFlushes, this.statsFlushes, this.commentFlushes]) conflator.stop();
    for (const feeds of [this.pollSubscribers, this.statsSubscribers, this.commentSubscribers] as Array<Map<number, Set<Subscriber<unknown>>>>) {
      for (const subscribers of feeds.values()) for (const subscriber of subscribers) void subscriber.queue.return();
    }
  }

  private onEvent(event: DomainEvent): void {
    // Scheduled even without subscribers: one may be registering right now, and the flush checks who is there.
    if (event.type === 'pollResultsChanged') this.pollFlushes.schedule(event.pollId);
    else if (event.type === 'postStatsChanged') this.statsFlushes.schedule(event.postId);
    else {
      if (this.commentSubscribers.has(event.postId)) this.noteSeq(event.postId, event.seq);
      this.commentFlushes.schedule(event.postId);
    }
  }

  // ---- pollResultsUpdated ----

  async subscribePollResults(context: RequestContext, pollGlobalId: string): Promise<AsyncIterable<PollResults>> {
    const ref = decodeIdOf(pollGlobalId, 'pollId', ['Poll']);
    if (!ref) throw new NotFoundError('Poll', 'pollId');
    const poll = (await this.services.posts.findByIds([ref.id]))[0];
    if (!poll || poll.kind !== 'POLL') throw new NotFoundError('Poll', 'pollId');

    const subscriber: PollSubscriber = {
      viewerId: context.viewer?.id ?? null,
      lastVersion: -1,
      lastHidden: null,
      poll: { authorId: poll.authorId, resultsVisibility: poll.resultsVisibility },
      queue: this.queue(context, 'pollResultsUpdated', poll.id, this.pollSubscribers, () => subscriber, { kind: 'latest' }),
    };
    this.join(this.pollSubscribers, poll.id, subscriber);
    // Registered first, then the snapshot: a change racing with it is pushed by the flush, never lost.
    await this.snapshot(subscriber.queue, () => this.flushPoll(poll.id, subscriber));
    return subscriber.queue;
  }

  private async flushPoll(pollId: number, only?: PollSubscriber): Promise<void> {
    const subscribers = only ? [only] : [...(this.pollSubscribers.get(pollId) ?? [])];
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
    const state = await this.services.polls.liveState(pollId, members);
    if (!state) return;
    const { poll, options, voters } = state;
    const now = new Date();
    // Each payload is built once per visibility class, whatever the audience.
    let visible: PollResults | null = null;
    let hidden: PollResults | null = null;
    for (const subscriber of subscribers) {
      const canSee = maySeeTallies(poll, subscriber.viewerId, subscriber.viewerId !== null && voters.has(subscriber.viewerId), now);
      const results = canSee ? (visible ??= buildPollResults(poll, options, true, now)) : (hidden ??= buildPollResults(poll, options, false, now));
      // Versions never go backwards; an unchanged version with unchanged visibility is nothing new.
      if (results.version < subscriber.lastVersion) continue;
      if (results.version === subscriber.lastVersion && results.isHidden === subscriber.lastHidden) continue;
      subscriber.lastVersion = results.version;
      subscriber.lastHidden = results.isHidden;
      subscriber.queue.push(results);
    }
  }

  // ---- postStatsUpdated ----

  async subscribePostStats(context: RequestContext, postGlobalId: string): Promise<AsyncIterable<PostStats>> {
    const ref = decodeIdOf(postGlobalId, 'postId', ['Thread', 'Poll']);
    if (!ref) throw new NotFoundError('Post', 'postId');
    const post = (await this.services.posts.findByIds([ref.id]))[0];
    if (!post || post.typeName !== ref.type) throw new NotFoundError('Post', 'postId');

    const subscriber: StatsSubscriber = {
      viewerId: context.viewer?.id ?? null,
      last: null,
      lastRead: 0,
      queue: this.queue(context, 'postStatsUpdated', post.id, this.statsSubscribers, () => subscriber, { kind: 'latest' }),
    };
    this.join(this.statsSubscribers, post.id, subscriber);
    await this.snapshot(subscriber.queue, () => this.flushStats(post.id, subscriber));
    return subscriber.queue;
  }

  private async flushStats(postId: number, only?: StatsSubscriber): Promise<void> {
    const subscribers = only ? [only] : [...(this.statsSubscribers.get(postId) ?? [])];
    if (subscribers.length === 0) return;
    // Stats have no version: reads are numbered as they start, so a slower, older read never overwrites a newer one.
    const read = ++this.statsReads;
    const post = (await this.services.posts.findByIds([postId]))[0];
    if (!post) return;
    const stats = new PostStats(post);
    const key = `${stats.viewCount}/${stats.upvoteCount}/${stats.commentCount}`;
    for (const subscriber of subscribers) {
      if (read < subscriber.lastRead) continue;
      subscriber.lastRead = read;
      if (subscriber.last === key) continue;
      subscriber.last = key;
      subscriber.queue.push(stats);
    }
  }

  // ---- commentAdded ----

  async subscribeComments(context: RequestContext, postGlobalId: string, after: string | null): Promise<AsyncIterable<CommentItem>> {
    const ref = decodeIdOf(postGlobalId, 'postId', ['Thread', 'Poll']);
    const afterSeq = after === null ? null : seqOfCursor(after, 'after');
    if (!ref) throw new NotFoundError('Post', 'postId');
    const postId = ref.id;

    const viewerId = context.viewer?.id ?? null;
    const subscriber: CommentSubscriber = {
      viewerId,
      // Provisional: receives nothing until its position is known (below).
      lastSeq: Number.MAX_SAFE_INTEGER,
      fullSince: null,
      queue: this.queue(context, 'commentAdded', postId, this.commentSubscribers, () => subscriber, {
        kind: 'fifo',
        maxBacklog: this.options.maxBacklog,
        overflowError: () => this.slowConsumerError(),
      }, (item) => {
        // Resolve this message's fields with loaders shared by every subscriber of the event, plus this viewer's own.
        context.loaders = withViewer(item.shared, this.services, viewerId);
        subscriber.fullSince = null;
        // Flow control: a subscriber that was left behind (replay, burst) gets the next rows once it has room.
        if (subscriber.queue.backlog <= this.options.maxBacklog / 2 && subscriber.lastSeq < (this.latestSeq.get(postId) ?? 0)) {
          this.commentFlushes.schedule(postId);
        }
      }),
    };
    // Joined before the post is read: an event for a comment committed meanwhile is noted (latestSeq),
    // so it cannot slip between reading the post's sequence and listening.
    this.join(this.commentSubscribers, postId, subscriber);
    try {
      const post = (await this.services.posts.findByIds([postId]))[0];
      if (!post || post.typeName !== ref.type) throw new NotFoundError('Post', 'postId');
      if (afterSeq !== null && afterSeq > post.commentSeq) throw new BadUserInputError('after', 'is not a cursor of a comment of this post.');
      // Without `after`: what exists now is not news. With it: replay what follows it.
      subscriber.lastSeq = afterSeq ?? post.commentSeq;
      this.noteSeq(postId, post.commentSeq);
    } catch (error) {
      await subscriber.queue.return();
      throw error;
    }
    if ((this.latestSeq.get(postId) ?? 0) > subscriber.lastSeq) this.commentFlushes.schedule(postId);
    return subscriber.queue;
  }


  /**
   * Hands each subscriber the comments after its last one, in sequence
   * order, as far as its queue has room (at most LIVE_MAX_BACKLOG waiting).
   * Rows that do not fit stay in the database and are read again once the
   * client has taken some, so a replay of any length or a burst within one
   * interval never overflows a client that keeps reading. A client whose
   * queue stays full for STALL_MS while more comments wait is stalled: it is
   * ended with SLOW_CONSUMER (it resumes with `after`).
   */
  private async flushComments(postId: number): Promise<void> {
    const subscribers = [...(this.commentSubscribers.get(postId) ?? [])].filter((s) => !s.queue.isEnded);
    if (subscribers.length === 0) return;
    const room = (s: CommentSubscriber) => this.options.maxBacklog - s.queue.backlog;
    const latest = this.latestSeq.get(postId) ?? 0;
    const now = Date.now();
    let recheck = false;
    for (const subscriber of subscribers) {
      if (room(subscriber) > 0 || subscriber.lastSeq >= latest) continue;
      if (subscriber.fullSince === null || now - subscriber.fullSince < STALL_MS) {
        recheck = true; // full, perhaps only for a moment: look again once it could have been stalled long enough
        continue;
      }
      subscriber.queue.fail(this.slowConsumerError());
    }
    if (recheck) setTimeout(() => this.commentFlushes.schedule(postId), STALL_MS).unref();
    const receiving = subscribers.filter((s) => !s.queue.isEnded && room(s) > 0);
    if (receiving.length === 0) return;

    // Read after the furthest-behind receiver; when that batch ends before others' positions (a long
    // replay), read once more for them, so a laggard never holds up subscribers who are current.
    const rows = await this.services.comments.afterSeq(postId, Math.min(...receiving.map((s) => s.lastSeq)), COMMENT_BATCH);
    if (rows.length === COMMENT_BATCH) {
      const end = rows[rows.length - 1].seq;
      const ahead = receiving.filter((s) => s.lastSeq >= end);
      if (ahead.length > 0) rows.push(...(await this.services.comments.afterSeq(postId, Math.min(...ahead.map((s) => s.lastSeq)), COMMENT_BATCH)));
    }
    if (rows.length === 0) return;
    this.noteSeq(postId, Math.max(...rows.map((row) => row.seq)));
    const shared = createSharedLoaders(this.services);
    for (const row of rows) shared.commentById.prime(row.id, row);
    const bySeq = new Map<number, Comment>(rows.map((row) => [row.seq, row]));
    const edges = new Map<number, CommentEdge>();
    let behind = false;
    for (const subscriber of receiving) {
      // Sequence numbers have no gaps (a rolled-back comment rolls its number back too):
      // each subscriber takes the rows that follow its last one, and stops at a gap between the two reads.
      for (let row = bySeq.get(subscriber.lastSeq + 1); row; row = bySeq.get(subscriber.lastSeq + 1)) {
        if (subscriber.queue.isEnded || room(subscriber) <= 0) break;
        if (!edges.has(row.seq)) edges.set(row.seq, toEdge(row));
        subscriber.lastSeq = row.seq;
        subscriber.queue.push({ edge: edges.get(row.seq)!, shared });
      }
      if (room(subscriber) <= 0) subscriber.fullSince ??= Date.now();
      else if (subscriber.lastSeq < (this.latestSeq.get(postId) ?? 0)) behind = true;
    }
    // Someone with room still has rows waiting in the database (a replay longer than a batch): read on.
    if (behind) this.commentFlushes.schedule(postId);
  }

  /** The highest comment sequence number known for a post (from events and reads). */
  private noteSeq(postId: number, seq: number): void {
    if (!this.commentSubscribers.has(postId)) return; // nobody watches: nothing to remember
    if (seq > (this.latestSeq.get(postId) ?? 0)) this.latestSeq.set(postId, seq);
  }

  // ---- plumbing ----

  private slowConsumerError(): ClientError {
    return new ClientError(
      `This subscription fell more than ${this.options.maxBacklog} comments behind and was ended; subscribe again with \`after\` set to the last cursor received to resume.`,
      ErrorCode.SLOW_CONSUMER,
    );
  }

  /** Sends the first message; if reading it fails, the subscription is undone before the error reaches the client. */
  private async snapshot(queue: { return(): Promise<unknown> }, send: () => Promise<void>): Promise<void> {
    try {
      await send();
    } catch (error) {
      await queue.return();
      throw error;
    }
  }

  private queue<T, S extends Subscriber<T>>(
    context: RequestContext,
    field: string,
    targetId: number,
    feeds: Map<number, Set<S>>,
    self: () => S,
    policy: ConstructorParameters<typeof LiveQueue<T>>[0],
    onDeliver?: (item: T) => void,
  ): LiveQueue<T> {
    const live = context.live;
    if (live) this.registry.add({ connectionId: live.connectionId, operationId: live.operationId, field, targetId });
    return new LiveQueue<T>(
      policy,
      () => {
        // The stream ended (unsubscribe, socket closed, SLOW_CONSUMER): forget the subscriber everywhere.
        const subscribers = feeds.get(targetId);
        subscribers?.delete(self());
        if (subscribers && subscribers.size === 0) {
          feeds.delete(targetId);
          if (field === 'commentAdded') this.latestSeq.delete(targetId);
        }
        if (live) this.registry.remove(live.connectionId, live.operationId);
      },
      onDeliver,
    );
  }

  private join<S>(feeds: Map<number, Set<S>>, targetId: number, subscriber: S): void {
    let subscribers = feeds.get(targetId);
    if (!subscribers) {
      subscribers = new Set();
      feeds.set(targetId, subscribers);
    }
    subscribers.add(subscriber);
  }
}

function toEdge(comment: Comment): CommentEdge {
  const edge = new CommentEdge();
  edge.node = comment;
  edge.cursor = commentCursor(comment, CommentOrder.OLDEST);
  return edge;
}
