/**
 * moderationQueueUpdated: every change of the moderation queue (a report created OPEN, a report
 * resolved ACTIONED or DISMISSED), exactly once each, in commit order, to moderators only.
 *
 * - One target: the queue. Its changes are numbered 1, 2, 3, ... without gaps in commit order
 *   (report_queue_changes, report-queue.ts); events carry only "the queue has changes up to N".
 * - First message: none for what exists already; with `after` (a message's cursor: its change's
 *   number), the changes after it are replayed first. Replay and live delivery are one path: each
 *   subscriber remembers the number of the last change it was given and receives the rows after it.
 * - Permissions: anonymous subscribers are UNAUTHENTICATED, members without the role FORBIDDEN, as
 *   an `error` message at subscribe; the role is read from the database then, and again at every
 *   flush for all subscribers in one query (the viewer of a socket was read when it connected):
 *   a subscriber who is no longer a moderator is ended with FORBIDDEN. memberRoleChanged makes
 *   a flush happen at once for the subscribers of that member, and the roles are read again every
 *   ROLE_RECHECK_MS anyway (the command line publishes no event). Suspension closes the socket (4403)
 *   elsewhere (sessionsRevoked).
 * - Cost per flush, whatever the audience: one read of the roles, one (rarely two) of the changes,
 *   one of their reports; each message's fields resolve with loaders shared by the flush's
 *   subscribers (the caller adds the viewer's own on delivery).
 * - Nothing is dropped silently (a 'fifo' queue): at most LIVE_MAX_BACKLOG messages wait per
 *   subscriber; the rest stay in the database and are read again as the client drains. A
 *   subscriber whose queue stays full for STALL_MS while more changes wait is ended with
 *   SLOW_CONSUMER and resumes with `after`.
 */
import { BadUserInputError, ClientError, ErrorCode, ForbiddenError, UnauthenticatedError } from '../../graphql/errors';
import { decodeCursor, encodeCursor } from '../../graphql/pagination';
import type { Logger } from '../../logger';
import { FeedSubscriber, LiveFeed, Registration } from '../../realtime/live-feed';
import type { LiveQueue } from '../../realtime/live-queue';
import type { SubscriptionRegistry } from '../../realtime/subscription-registry';
import type { SharedLoaders } from '../loaders';
import type { Member } from '../member/member.entity';
import { isModeratorRole } from '../moderation/moderation.enums';
import type { ReportQueueChange } from './report-queue-change.entity';
import { ModerationQueueUpdate } from './report.types';

/** The feed's one target. */
const QUEUE = 0;

/** A queue full this long while more changes wait means the client is stalled (SLOW_CONSUMER). */
const STALL_MS = 1000;

/** The position of a subscriber whose role and starting point are still being read: it receives nothing yet. */
const PROVISIONAL = Number.MAX_SAFE_INTEGER;

/**
 * How often the roles of the queue's subscribers are read again without any event: a role set from
 * the command line (`npm run member`) publishes nothing, and the subscriber who lost it must still
 * be ended. Only when no flush read them within the interval: at most one query per interval per
 * instance while anyone watches, none while the queue is busy anyway.
 */
const ROLE_RECHECK_MS = 10_000;

/** How many changes one flush reads; a longer backlog is read in further flushes. */
const CHANGE_BATCH = 500;

const CURSOR_ORDER = 'QUEUE_CHANGES';

/** The cursor of the change numbered `seq` (opaque to clients). */
export function queueChangeCursor(seq: number): string {
  return encodeCursor(CURSOR_ORDER, [seq]);
}

/** The change number a cursor stands for; BAD_USER_INPUT on `field` when it is not one of this feed's cursors. */
export function seqOfQueueChangeCursor(cursor: string, field = 'after'): number {
  return decodeCursor(cursor, CURSOR_ORDER, ['int32'], field)[0];
}

/** One message: the payload, and the loaders its fields resolve with. */
export interface ModerationQueueItem {
  update: ModerationQueueUpdate;
  shared: SharedLoaders;
}

interface QueueSubscriber extends FeedSubscriber<ModerationQueueItem> {
  /** The number of the last change handed to this subscriber's queue. */
  lastSeq: number;
  /** The subscriber as last read (role included); its messages resolve for this member. */
  member: Member | null;
  /** Since when the queue has been full (null while it has room). */
  fullSince: number | null;
}

export interface ModerationQueueFeedDeps {
  /** The number of the latest change; 0 while there is none. */
  latestSeq(): Promise<number>;
  /** Changes after a number, in order. */
  changesAfter(seq: number, limit: number): Promise<ReportQueueChange[]>;
  /** Loaders for one flush (the roles, the reports, the messages' fields), shared by all its subscribers. */
  createSharedLoaders(): SharedLoaders;
}

export class ModerationQueueFeed extends LiveFeed<ModerationQueueItem, QueueSubscriber> {
  /** The highest change number known (from events and reads). */
  private latest = 0;
  /** Re-reads the roles every ROLE_RECHECK_MS while anyone watches (see ROLE_RECHECK_MS). */
  private roleRecheck: NodeJS.Timeout | null = null;
  private lastFlushAt = 0;

  constructor(
    private readonly deps: ModerationQueueFeedDeps,
    registry: SubscriptionRegistry,
    private readonly options: { intervalMs: number; maxBacklog: number },
    logger: Logger,
  ) {
    super('moderationQueueUpdated', registry, options.intervalMs, logger);
  }

  /**
   * Subscribers past their checks at subscribe, whose position in the queue is known: from then on
   * every change committed reaches them. Nothing is sent at first, so tests wait for this instead.
   */
  get positioned(): number {
    return this.audience(QUEUE).filter((subscriber) => subscriber.lastSeq !== PROVISIONAL && !subscriber.queue.isEnded).length;
  }

  /** Changes up to number `seq` were committed. */
  changesCommitted(seq: number): void {
    this.latest = Math.max(this.latest, seq);
    this.schedule(QUEUE);
  }

  protected onLastLeft(): void {
    if (this.roleRecheck) clearInterval(this.roleRecheck);
    this.roleRecheck = null;
  }

  stop(): void {
    this.onLastLeft();
    super.stop();
  }

  /** A member's role changed: if they watch the queue, their role is read again at once. */
  roleChanged(memberId: number): void {
    if (this.audience(QUEUE).some((subscriber) => subscriber.viewerId === memberId)) this.schedule(QUEUE);
  }

  /**
   * `after`: the cursor of the last message received, or null; `onDeliver` runs as each message is
   * handed to the client, with the member as last read (the caller resolves its fields for them).
   */
  async subscribe(
    viewerId: number | null,
    registration: Registration | null,
    after: string | null,
    onDeliver: (item: ModerationQueueItem, member: Member) => void,
  ): Promise<LiveQueue<ModerationQueueItem>> {
    if (viewerId === null) throw new UnauthenticatedError();
    const subscriber: QueueSubscriber = {
      viewerId,
      lastSeq: PROVISIONAL,
      member: null,
      fullSince: null,
      queue: this.createQueue(
        QUEUE,
        registration,
        () => subscriber,
        { kind: 'fifo', maxBacklog: this.options.maxBacklog, overflowError: () => this.slowConsumerError() },
        (item) => {
          onDeliver(item, subscriber.member!);
          subscriber.fullSince = null;
          // Flow control: a subscriber left behind (replay, burst) gets the next rows once it has room.
          if (subscriber.queue.backlog <= this.options.maxBacklog / 2 && subscriber.lastSeq < this.latest) this.schedule(QUEUE);
        },
      ),
    };
    // Joined before the latest number is read: an event committed meanwhile is noted (latest), so it
    // cannot slip between the read and listening.
    this.join(QUEUE, subscriber);
    this.roleRecheck ??= setInterval(() => {
      if (Date.now() - this.lastFlushAt >= ROLE_RECHECK_MS) this.schedule(QUEUE);
    }, ROLE_RECHECK_MS).unref();
    await this.undoOnFailure(subscriber, async () => {
      // The role first, read now (the socket's viewer is as old as the socket); then the arguments.
      const member = (await this.deps.createSharedLoaders().memberById.load(viewerId)) ?? null;
      if (!member || !isModeratorRole(member.role)) throw new ForbiddenError('Only moderators may watch the moderation queue.');
      const afterSeq = after === null ? null : seqOfQueueChangeCursor(after);
      const latest = await this.deps.latestSeq();
      if (afterSeq !== null && afterSeq > latest) throw new BadUserInputError('after', 'is not a cursor of this queue.');
      this.latest = Math.max(this.latest, latest);
      subscriber.member = member;
      // Without `after`: what exists now is not news. With it: replay what follows it.
      subscriber.lastSeq = afterSeq ?? latest;
    });
    if (this.latest > subscriber.lastSeq) this.schedule(QUEUE);
    return subscriber.queue;
  }

  /**
   * Re-reads every subscriber's role (ending those who lost it), then hands each the changes after
   * its last one, in order, as far as its queue has room. Rows that do not fit stay in the database
   * and are read again once the client has taken some.
   */
  protected async flush(): Promise<void> {
    this.lastFlushAt = Date.now();
    // Subscribers still being checked at subscribe take nothing yet.
    const subscribers = this.audience(QUEUE).filter((s) => !s.queue.isEnded && s.lastSeq !== PROVISIONAL);
    if (subscribers.length === 0) return;
    const shared = this.deps.createSharedLoaders();
    await this.checkRoles(subscribers, shared);
    this.endStalled(subscribers);
    const receiving = subscribers.filter((s) => !s.queue.isEnded && this.room(s) > 0);
    if (receiving.length === 0) return;

    const changes = await this.readAfter(receiving);
    if (changes.length === 0) return;
    this.latest = Math.max(this.latest, ...changes.map((change) => change.seq));
    // The reports of every change in one read; the messages' fields resolve from the same loaders.
    const reports = await shared.reportById.loadMany([...new Set(changes.map((change) => change.reportId))]);
    const reportById = new Map(reports.flatMap((report) => (report && !(report instanceof Error) ? [[report.id, report] as const] : [])));
    // Subscribers by the number of their last change: each change goes to the cohort whose last change
    // is the one before it and that has room, which then moves on to it.
    const atSeq = new Map<number, QueueSubscriber[]>();
    const joinSeq = (seq: number, cohort: QueueSubscriber[]) => atSeq.set(seq, [...(atSeq.get(seq) ?? []), ...cohort]);
    for (const subscriber of receiving) joinSeq(subscriber.lastSeq, [subscriber]);
    for (const change of changes) {
      const cohort = (atSeq.get(change.seq - 1) ?? []).filter((s) => !s.queue.isEnded && this.room(s) > 0);
      if (cohort.length === 0) continue;
      for (const subscriber of cohort) subscriber.lastSeq = change.seq;
      const report = reportById.get(change.reportId);
      // Reports are never deleted; a missing one would be a bug, and the change is skipped rather than the feed stopped.
      if (report) this.deliver(cohort, { update: new ModerationQueueUpdate(queueChangeCursor(change.seq), change.status, report), shared });
      joinSeq(change.seq, cohort);
    }
    let behind = false;
    for (const subscriber of receiving) {
      if (this.room(subscriber) <= 0) subscriber.fullSince ??= Date.now();
      else if (subscriber.lastSeq < this.latest) behind = true;
    }
    // Someone with room still has changes waiting in the database (a replay longer than a batch): read on.
    if (behind) this.schedule(QUEUE);
  }

  /** One read of every subscriber's member row: whoever is no longer a moderator (or no longer exists) is ended with FORBIDDEN. */
  private async checkRoles(subscribers: QueueSubscriber[], shared: SharedLoaders): Promise<void> {
    const ids = [...new Set(subscribers.map((s) => s.viewerId!))];
    const members = await shared.memberById.loadMany(ids);
    const byId = new Map(members.flatMap((member) => (member && !(member instanceof Error) ? [[member.id, member] as const] : [])));
    for (const subscriber of subscribers) {
      const member = byId.get(subscriber.viewerId!);
      if (member && isModeratorRole(member.role)) subscriber.member = member;
      else subscriber.queue.fail(new ForbiddenError('You are no longer a moderator: the moderation queue is for moderators only.'));
    }
  }

  /**
   * Reads after the furthest-behind receiver; when that batch ends before others' positions (a long
   * replay), reads once more for them, so a laggard never holds up subscribers who are current.
   */
  private async readAfter(receiving: QueueSubscriber[]): Promise<ReportQueueChange[]> {
    const rows = await this.deps.changesAfter(Math.min(...receiving.map((s) => s.lastSeq)), CHANGE_BATCH);
    if (rows.length === CHANGE_BATCH) {
      const end = rows[rows.length - 1].seq;
      const ahead = receiving.filter((s) => s.lastSeq >= end);
      if (ahead.length > 0) rows.push(...(await this.deps.changesAfter(Math.min(...ahead.map((s) => s.lastSeq)), CHANGE_BATCH)));
    }
    return rows;
  }

  private room(subscriber: QueueSubscriber): number {
    return this.options.maxBacklog - subscriber.queue.backlog;
  }

  /** Ends subscribers whose queue has been full for STALL_MS while more changes wait; looks again later at those full for less. */
  private endStalled(subscribers: QueueSubscriber[]): void {
    const now = Date.now();
    let recheck = false;
    for (const subscriber of subscribers) {
      if (subscriber.queue.isEnded || this.room(subscriber) > 0 || subscriber.lastSeq >= this.latest) continue;
      if (subscriber.fullSince === null || now - subscriber.fullSince < STALL_MS) {
        recheck = true;
        continue;
      }
      subscriber.queue.fail(this.slowConsumerError());
    }
    if (recheck) setTimeout(() => this.schedule(QUEUE), STALL_MS).unref();
  }

  private slowConsumerError(): ClientError {
    return new ClientError(
      `This subscription fell more than ${this.options.maxBacklog} changes behind and was ended; subscribe again with \`after\` set to the last cursor received to resume.`,
      ErrorCode.SLOW_CONSUMER,
    );
  }
}
