/**
 * The per-subscriber buffer between the server's fan-out and one client.
 *
 * graphql-ws pulls the next message only after the previous one was handed
 * to the socket, so a slow or stalled client leaves items here. Three
 * policies keep memory bounded and never hold anybody else up (push never waits):
 * - 'latest': one slot, a newer item replaces an unsent one (conflation:
 *   poll results, post stats, a post's state; the final state is never skipped);
 * - 'latestPerKey': one slot per key (`keyOf`), in the order the keys first
 *   waited; a newer item replaces the unsent one of its key in place, items of
 *   other keys are all kept (commentUpdated: the latest state of every changed
 *   comment, none skipped). At most `maxBacklog` keys wait; beyond it the
 *   stream ends with `overflowError`;
 * - 'fifo': every item in order, up to `maxBacklog`; beyond it the stream
 *   ends with `overflowError` (commentAdded: never drop silently).
 *
 * A stream ends in one of three ways: return() (the client left: what waits
 * is dropped), fail() (an error the client receives: what waits is
 * discarded), or complete() (the server's last word: what waits is still
 * delivered, then the client gets `complete`).
 *
 * Over a socket, the queue's consumer is a FrameWriter (frame-writer.ts): it turns each item into
 * the subscriber's payload through the feed's CohortPayloads (executed once per cohort) and the
 * execution scope the subscription gave (executeWith).
 */
import { CohortPayloads, ScopeFor } from './cohort-payloads';

export type LiveQueuePolicy<T = unknown> =
  | { kind: 'latest' }
  | { kind: 'latestPerKey'; keyOf: (item: T) => string | number; maxBacklog: number; overflowError: () => Error }
  | { kind: 'fifo'; maxBacklog: number; overflowError: () => Error };

/** Messages of a feed's queues, read by the metrics: handed to clients, and dropped (by why). */
export interface LiveMessageCounts {
  sent: number;
  /** An unsent 'latest' message replaced by a newer one (the client gets the newer state). */
  superseded: number;
  /** Messages waiting when the server ended the subscription with an error (SLOW_CONSUMER: the client fell too far behind). */
  discarded: number;
}

/** One instance for queues made outside a feed (tests): payloads are keyed by item, so sharing it is safe. */
let unsharedPayloads: CohortPayloads | null = null;

export const emptyMessageCounts = (): LiveMessageCounts => ({ sent: 0, superseded: 0, discarded: 0 });

export class LiveQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | null = null;
  private failWaiting: ((error: unknown) => void) | null = null;
  private failure: unknown = null;
  private done = false;
  /** How this subscriber's payload is executed from each item (its context and viewer); null until the subscription says. */
  scopeFor: ScopeFor<T> | null = null;

  constructor(
    private readonly policy: LiveQueuePolicy<T>,
    /** Called once when the stream ends for any reason (client unsubscribed, socket closed, overflow). */
    private readonly onEnd: () => void,
    /** Called with each item just before it is handed to the consumer. */
    private readonly onDeliver: (item: T) => void = () => {},
    /** Shared by the queues of one feed (metrics). */
    private readonly counts: LiveMessageCounts = emptyMessageCounts(),
    /** The feed's payloads: each item is executed once per cohort for all the feed's queues. */
    readonly payloads: CohortPayloads = (unsharedPayloads ??= new CohortPayloads()),
  ) {}

  /** Sets the execution scope of this subscriber's items (see scopeFor). */
  executeWith(scopeFor: ScopeFor<T>): this {
    this.scopeFor = scopeFor;
    return this;
  }

  get backlog(): number {
    return this.items.length;
  }

  get isEnded(): boolean {
    return this.done;
  }

  push(item: T): void {
    if (this.done) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      this.failWaiting = null;
      this.counts.sent++;
      this.onDeliver(item);
      resolve({ value: item, done: false });
      return;
    }
    if (this.policy.kind === 'latest') {
      this.counts.superseded += this.items.length;
      this.items.length = 0;
      this.items.push(item);
      return;
    }
    if (this.policy.kind === 'latestPerKey') {
      const keyOf = this.policy.keyOf;
      const key = keyOf(item);
      // In place: a key keeps its turn, so a hot key never pushes the others back, nor they it.
      const slot = this.items.findIndex((queued) => keyOf(queued) === key);
      if (slot >= 0) {
        this.counts.superseded++;
        this.items[slot] = item;
        return;
      }
    }
    if (this.items.length >= this.policy.maxBacklog) {
      this.counts.discarded++; // the item pushed; fail() counts those waiting
      this.fail(this.policy.overflowError());
      return;
    }
    this.items.push(item);
  }

  /**
   * Ends the stream from the server's side: nothing more is accepted, what
   * waits is still handed out, then the consumer gets `done` (graphql-ws
   * sends `complete`). The subscriber is forgotten at once (onEnd).
   */
  complete(): void {
    if (this.done) return;
    this.finish();
    // A consumer waiting has nothing left to take: it is done now.
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      this.failWaiting = null;
      resolve({ value: undefined, done: true });
    }
  }

  /** Ends the stream with an error the client receives for this operation. */
  fail(error: unknown): void {
    if (this.done) return;
    this.counts.discarded += this.items.length;
    this.items.length = 0;
    this.finish();
    if (this.failWaiting) {
      const reject = this.failWaiting;
      this.waiting = null;
      this.failWaiting = null;
      reject(error);
    } else {
      this.failure = error;
    }
  }

  next(): Promise<IteratorResult<T>> {
    return new Promise((resolve, reject) => this.take(resolve, reject));
  }

  /**
   * next() without a promise: `deliver` (or `fail`) is called once, at once when an item waits or
   * the stream is over, else from the push (or end) that brings one. The FrameWriter of every
   * subscriber takes its items so: no promise, closure or suspended async call per subscriber and
   * item, and a pushed item is written in the pushing turn.
   */
  take(deliver: (result: IteratorResult<T>) => void, fail: (error: unknown) => void): void {
    if (this.failure !== null) {
      const error = this.failure;
      this.failure = null;
      return fail(error);
    }
    if (this.items.length > 0) {
      const item = this.items.shift() as T;
      this.counts.sent++;
      this.onDeliver(item);
      return deliver({ value: item, done: false });
    }
    if (this.done) return deliver({ value: undefined, done: true });
    this.waiting = deliver;
    this.failWaiting = fail;
  }

  return(): Promise<IteratorResult<T>> {
    this.items.length = 0;
    this.finish();
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      this.failWaiting = null;
      resolve({ value: undefined, done: true });
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<T>> {
    this.fail(error);
    return this.next();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.onEnd();
  }
}
