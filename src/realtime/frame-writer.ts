/**
 * One live subscription's writer: takes its queue's items in order, gets each item's payload
 * (executed once per cohort, CohortPayloads) and writes the `next` frame straight to the socket,
 * the subscription id spliced into the cohort's serialized payload. It replaces graphql-ws's
 * per-subscriber execution and serialization; graphql-ws still owns the protocol around it.
 *
 * Protocol kept (graphql-ws sees this writer as the subscription's stream):
 * - graphql-ws awaits next() for the whole subscription; it resolves `done` once the queue ended
 *   and everything it still held was written (then graphql-ws sends `complete`), and rejects with
 *   the queue's error (then graphql-ws sends `error`, through onError: masked as over HTTP). Every
 *   frame was handed to the socket before that, and ws writes in call order: nothing follows a
 *   `complete` or an `error`.
 * - return() (the client's `complete`, or its socket closing) ends the queue at once: nothing more
 *   is written for it, not even a payload whose execution was under way.
 * - Per-subscription order: items are written in queue order, each after the one before.
 * - Flow control as before: the next item is taken from the queue only when the socket has
 *   written the previous frame (ws's send callback), so a slow client's backlog stays in its
 *   queue, where its policy (conflation, backlog limit, SLOW_CONSUMER) applies.
 *
 * Driven by callbacks, not an async loop: an idle subscriber holds its writer and the queue's two
 * callbacks (bound once), no suspended async calls and promises (they were about 0.7 KB of every
 * idle subscriber), and an item whose cohort's payload is ready is written in the very turn it is
 * pushed, with no promise per subscriber. Nothing thrown here reaches the pushing feed: it ends
 * this subscription only.
 */
import type { ExecutionResult, FormattedExecutionResult } from 'graphql';
import type { LiveOperation, Payload, ScopeFor } from './cohort-payloads';
import type { LiveQueue } from './live-queue';

/** Where the frames go; `written` is called once the frame was written (or at once when the socket is no longer open). */
export interface FrameSocket {
  send(frame: string, written: () => void): void;
}

type Done = IteratorResult<never, void>;

export class FrameWriter<T> implements AsyncGenerator<never, void, void> {
  /** `{"id":"<id>","type":"next","payload":` : every frame of this subscription starts so. */
  private readonly prefix: string;
  private returned = false;
  /** graphql-ws's pending next(): settled once, when the subscription is over. */
  private settle: { resolve: (done: Done) => void; reject: (error: unknown) => void } | null = null;
  private ended = false;
  /** The item whose payload this writer waits for (whenShared), held only meanwhile. */
  private waitingFor: T | null = null;

  constructor(
    private readonly queue: LiveQueue<T>,
    private readonly scopeFor: ScopeFor<T>,
    private readonly operation: LiveOperation,
    operationId: string,
    private readonly socket: FrameSocket,
    /** A result with errors, formatted for this subscriber (masked, logged with its request id). */
    private readonly formatErrors: (result: ExecutionResult) => FormattedExecutionResult,
  ) {
    this.prefix = `{"id":${JSON.stringify(operationId)},"type":"next","payload":`;
  }

  /** Resolves `done` once the stream is over and written, rejects with what ended it otherwise (see the header). */
  next(): Promise<Done> {
    if (this.ended) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
      this.pull();
    });
  }

  return(): Promise<Done> {
    this.returned = true;
    return this.queue.return() as Promise<Done>;
  }

  async throw(error: unknown): Promise<Done> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  /** Takes the next item: now if one waits, else when one is pushed (written in the pushing turn). */
  private readonly pull = (): void => this.queue.take(this.onStep, this.fail);

  private readonly onStep = (step: IteratorResult<T>): void => {
    if (step.done || this.returned) return this.finish();
    try {
      // Executed by an earlier subscriber of its cohort: written in this same turn. Under way: written
      // in the loop that ends it (whenShared). Else (the first of its cohort, or not shared) awaited.
      const payload = this.queue.payloads.ready(step.value, this.operation);
      if (payload) return this.write(payload);
      this.waitingFor = step.value;
      if (this.queue.payloads.whenShared(step.value, this.operation, this.onShared)) return;
      this.ownPayload();
    } catch (error) {
      this.fail(error);
    }
  };

  /** The cohort's execution this writer waited for has ended: its shared payload, or null (then this subscriber's own). */
  private readonly onShared = (payload: Payload | null): void => {
    if (payload) {
      this.waitingFor = null;
      return this.write(payload);
    }
    try {
      this.ownPayload();
    } catch (error) {
      this.fail(error);
    }
  };

  private ownPayload(): void {
    const item = this.waitingFor as T;
    this.waitingFor = null;
    this.queue.payloads.payloadFor(item, this.operation, this.scopeFor).then(this.write, this.fail);
  }

  private readonly write = (payload: Payload): void => {
    if (this.returned) return this.finish();
    try {
      this.socket.send(this.frameOf(payload), this.pull);
    } catch (error) {
      this.fail(error);
    }
  };

  /** Whatever ended the writer ends the subscription (forgotten by its feed), then reaches the client. */
  private readonly fail = (error: unknown): void => {
    if (this.ended) return;
    this.ended = true;
    const settle = this.settle;
    this.settle = null;
    void this.queue.return().then(() => settle?.reject(error));
  };

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.settle?.resolve({ done: true, value: undefined });
    this.settle = null;
  }

  private frameOf(payload: Payload): string {
    if (payload.json !== null) return `${this.prefix}${payload.json}}`;
    return `${this.prefix}${JSON.stringify(this.formatErrors(payload.result))}}`;
  }
}
