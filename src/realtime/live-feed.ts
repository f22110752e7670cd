/**
 * The generic part of every live subscription field: its subscribers grouped
 * by what they watch (a poll, a post), and the conflated flush that brings
 * them up to date. A field's feed (in its module) only says how to read the
 * state and what each subscriber is sent, and hands every payload over
 * through deliver() to its cohort (the subscribers sent that same payload).
 *
 * Guarantees kept here, for every feed:
 * - A subscriber joins before its first message is read, so a change that
 *   races with subscribing is pushed by the next flush, never lost.
 * - If reading the first message fails, the subscription is undone (queue
 *   ended, registry entry removed) before the error reaches the client.
 * - When a stream ends for any reason (unsubscribe, socket closed,
 *   SLOW_CONSUMER) the subscriber is forgotten everywhere; when the last
 *   subscriber of a target leaves, the feed hears it (onLastLeft).
 * - Flushes run at most once per target per interval, and one change after
 *   a flush started always leads to one more (Conflator): the final state is
 *   never skipped. A failing flush is logged and retried on the next change.
 * - A target that is gone for good (a deleted post) ends its subscribers
 *   through end(): a last message then `complete`, or an error message.
 */
import type { Logger } from '../logger';
import { CohortPayloads } from './cohort-payloads';
import { Conflator } from './conflator';
import { emptyMessageCounts, LiveMessageCounts, LiveQueue, LiveQueuePolicy } from './live-queue';
import type { SubscriptionRegistry } from './subscription-registry';

/** Where a subscription came from: its WebSocket connection and operation (for the registry and per-socket limits). */
export interface Registration {
  connectionId: string;
  operationId: string;
}

export interface FeedSubscriber<T> {
  viewerId: number | null;
  queue: LiveQueue<T>;
}

export abstract class LiveFeed<T, S extends FeedSubscriber<T>> {
  private readonly subscribers = new Map<number, Set<S>>();
  private readonly flushes: Conflator<number>;
  /** Messages of all this feed's subscribers: sent, superseded, discarded (metrics). */
  readonly messages: LiveMessageCounts = emptyMessageCounts();
  /** Every item this feed delivers becomes a payload here, once per cohort (whatever the audience). */
  readonly payloads = new CohortPayloads();

  constructor(
    /** The subscription field, as the registry reports it. */
    readonly field: string,
    private readonly registry: SubscriptionRegistry,
    intervalMs: number,
    logger: Logger,
  ) {
    this.flushes = new Conflator(
      intervalMs,
      (targetId) => this.flush(targetId),
      (error, key) => logger.error(`live ${field} flush failed`, { key, error }),
    );
  }

  /** Brings the subscribers of `targetId` (or only `only`, for its first message) up to date. */
  protected abstract flush(targetId: number, only?: S): Promise<void>;

  /** The last subscriber of `targetId` has left. */
  protected onLastLeft(_targetId: number): void {}

  /** Something about `targetId` changed: flush it within the interval. Scheduled even without subscribers: one may be joining. */
  schedule(targetId: number): void {
    this.flushes.schedule(targetId);
  }

  /** Events may have been lost (Redis pub/sub is at-most-once): flush every watched target. */
  resync(): void {
    for (const targetId of this.subscribers.keys()) {
      this.onResync(targetId);
      this.flushes.schedule(targetId);
    }
  }

  /** A resync is about to flush `targetId`: a feed whose flushes read only what events named notes here what to read again. */
  protected onResync(_targetId: number): void {}

  /** Active subscribers of this feed. */
  get size(): number {
    let total = 0;
    for (const set of this.subscribers.values()) total += set.size;
    return total;
  }

  stop(): void {
    this.flushes.stop();
    for (const set of this.subscribers.values()) for (const subscriber of set) void subscriber.queue.return();
  }

  protected isWatched(targetId: number): boolean {
    return this.subscribers.has(targetId);
  }

  /** The subscribers to flush: `only`, or everyone watching `targetId` now. */
  protected audience(targetId: number, only?: S): S[] {
    return only ? [only] : [...(this.subscribers.get(targetId) ?? [])];
  }

  /**
   * The queue of a new subscriber of `targetId`, registered in the registry
   * when it came over a socket; its end removes it from the feed and the registry.
   */
  protected createQueue(
    targetId: number,
    registration: Registration | null,
    self: () => S,
    policy: LiveQueuePolicy<T>,
    onDeliver?: (item: T) => void,
  ): LiveQueue<T> {
    if (registration) this.registry.add({ ...registration, field: this.field, targetId });
    return new LiveQueue<T>(
      policy,
      () => {
        const set = this.subscribers.get(targetId);
        set?.delete(self());
        if (set && set.size === 0) {
          this.subscribers.delete(targetId);
          this.onLastLeft(targetId);
        }
        if (registration) this.registry.remove(registration.connectionId, registration.operationId);
      },
      onDeliver,
      this.messages,
      this.payloads,
    );
  }

  protected join(targetId: number, subscriber: S): void {
    let set = this.subscribers.get(targetId);
    if (!set) {
      set = new Set();
      this.subscribers.set(targetId, set);
    }
    set.add(subscriber);
  }

  /**
   * Hands `item` to every subscriber of `cohort`: the subscribers of one
   * visibility class that receive this same item. The one place where the
   * feeds hand items over. Each item is one change: when the subscribers'
   * writers take it, `payloads` executes and serializes it once per operation
   * (document and variables) among them, and once per viewer only where a
   * field read something of the viewer (cohort-payloads.ts). Deliver a new
   * item object per change; an item must not be changed once delivered. Each
   * queue applies its own policy (conflation, backlog); pushing never waits.
   */
  protected deliver(cohort: readonly S[], item: T): void {
    for (const subscriber of cohort) subscriber.queue.push(item);
  }

  /**
   * The watched thing is gone for good (a deleted post): `cohort` gets `last`
   * (when given) as its final message, then `complete`; or, with `error`, ends
   * at once with that error message. Either way they are forgotten at once.
   */
  protected end(cohort: readonly S[], how: { last: T } | { error: () => Error }): void {
    if ('last' in how) {
      this.deliver(cohort, how.last);
      for (const subscriber of cohort) subscriber.queue.complete();
    } else {
      for (const subscriber of cohort) subscriber.queue.fail(how.error());
    }
  }

  /** Runs `first` (the first message, or the checks before it); on failure the subscription is undone, then the error is thrown. */
  protected async undoOnFailure(subscriber: S, first: () => Promise<void>): Promise<void> {
    try {
      await first();
    } catch (error) {
      await subscriber.queue.return();
      throw error;
    }
  }
}
