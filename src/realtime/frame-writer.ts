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
 */
import type { ExecutionResult, FormattedExecutionResult } from 'graphql';
import type { LiveOperation, Payload, ScopeFor } from './cohort-payloads';
import type { LiveQueue } from './live-queue';

/** Where the frames go; send resolves once the frame was written (or the socket is no longer open). */
export interface FrameSocket {
  send(frame: string): Promise<void>;
}

export class FrameWriter<T> implements AsyncGenerator<never, void, void> {
  /** `{"id":"<id>","type":"next","payload":` : every frame of this subscription starts so. */
  private readonly prefix: string;
  private returned = false;

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

  async next(): Promise<IteratorResult<never, void>> {
    try {
      while (await this.writeNext());
      return { done: true, value: undefined };
    } catch (error) {
      // Whatever ended the writer ends the subscription (forgotten by its feed), then reaches the client.
      await this.queue.return();
      throw error;
    }
  }

  /**
   * Writes the next item's frame; false once the stream is over. One call per item, so that an idle
   * subscriber's suspended call holds no item or payload it already sent.
   */
  private async writeNext(): Promise<boolean> {
    const step = await this.queue.next(); // rejects with the error that ended the queue
    if (step.done || this.returned) return false;
    // Executed by an earlier subscriber of its cohort: written in this same turn, else awaited.
    const payload = this.queue.payloads.ready(step.value, this.operation) ?? (await this.queue.payloads.payloadFor(step.value, this.operation, this.scopeFor));
    if (this.returned) return false;
    await this.socket.send(this.frameOf(payload));
    return true;
  }

  return(): Promise<IteratorResult<never, void>> {
    this.returned = true;
    return this.queue.return() as Promise<IteratorResult<never, void>>;
  }

  async throw(error: unknown): Promise<IteratorResult<never, void>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  private frameOf(payload: Payload): string {
    if (payload.json !== null) return `${this.prefix}${payload.json}}`;
    return `${this.prefix}${JSON.stringify(this.formatErrors(payload.result))}}`;
  }
}
