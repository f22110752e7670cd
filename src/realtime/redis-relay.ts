/**
 * Domain events between server instances over Redis pub/sub (ioredis).
 *
 * Why not @graphql-yoga/redis-event-target: our events are small "X changed"
 * notifications feeding the conflation layer, not GraphQL payloads, and
 * that package neither awaits nor catches `publish` (PITFALLS: an unreachable
 * Redis crashed the process). Here every failure is logged and counted and
 * the server keeps serving:
 * - publishing never waits: with Redis down, `publish` fails at once (no
 *   offline queue) and the event is dropped for other instances; local
 *   subscribers already had it;
 * - pub/sub is at-most-once, so whenever a connection comes back the relay
 *   asks every instance to resync: each pushes fresh snapshots from the
 *   database to its subscribers (comments are re-read by sequence number,
 *   so nothing is missed).
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import type { Logger } from '../logger';
import type { BusEvent, DomainEventBus, EventRelay } from './domain-events';

/**
 * One channel per database: instances of one deployment share their database
 * and hear each other; other deployments (or test runs) on the same Redis
 * with another database do not.
 */
export function channelFor(databaseKey: string): string {
  return `peer-community:events:${databaseKey}`;
}

/** A domain event (checked by the bus on receipt), or a request to resync. */
type Envelope = { from: string; event: unknown } | { from: string; resync: true };

export interface RelayStats {
  published: number;
  publishFailures: number;
  received: number;
  resyncs: number;
}

export class RedisEventRelay implements EventRelay<BusEvent> {
  readonly instanceId = randomUUID();
  readonly stats: RelayStats = { published: 0, publishFailures: 0, received: 0, resyncs: 0 };
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private publisherWasDown = false;
  private subscriberWasDown = false;
  /** Whether the subscriber's current connection has SUBSCRIBEd to the channel. */
  private subscribed = false;
  private readonly subscribedWaiters = new Set<() => void>();
  private stopped = false;

  constructor(
    url: string,
    private readonly channel: string,
    private readonly bus: Pick<DomainEventBus<BusEvent>, 'receive'>,
    private readonly logger: Logger,
    /** Push fresh state to every local subscriber (events may have been lost). */
    private readonly resync: () => void,
  ) {
    const options = {
      // Keep trying, at most every 2 s; never give up: the server runs on without Redis meanwhile.
      retryStrategy: (times: number) => Math.min(100 * times, 2000),
      maxRetriesPerRequest: 1,
      // Notice a silently dead connection (and so reconnect and resync) instead of waiting forever.
      keepAlive: 10_000,
      lazyConnect: false,
    };
    this.publisher = new Redis(url, { ...options, enableOfflineQueue: false });
    // We (re)subscribe ourselves on every 'ready' (see subscribeChannel): ioredis' own resubscription only
    // covers channels whose SUBSCRIBE was acknowledged, and leaves its promise without a handler.
    this.subscriber = new Redis(url, { ...options, autoResubscribe: false });

    for (const [name, client] of [
      ['publisher', this.publisher],
      ['subscriber', this.subscriber],
    ] as const) {
      // Without an error listener ioredis reports connection errors as unhandled.
      client.on('error', (error) => this.logger.warn(`redis ${name} error`, { error: error.message }));
    }
    this.publisher.on('close', () => {
      if (!this.stopped) this.publisherWasDown = true;
    });
    this.publisher.on('ready', () => {
      if (!this.publisherWasDown) return;
      this.publisherWasDown = false;
      // Other instances may have missed what we could not publish: ask everyone to resync.
      this.sendEnvelope({ from: this.instanceId, resync: true });
      this.runResync('publisher reconnected');
    });
    this.subscriber.on('close', () => {
      this.subscribed = false;
      if (!this.stopped) this.subscriberWasDown = true;
    });
    this.subscriber.on('ready', () => this.subscribeChannel());
    this.subscriber.on('message', (_channel: string, text: string) => this.onMessage(text));
  }

  /** Whether the subscriber currently listens on the channel: events of other instances reach this one. */
  get listening(): boolean {
    return this.subscribed && !this.stopped;
  }

  send(event: BusEvent): void {
    this.sendEnvelope({ from: this.instanceId, event });
  }

  /** Resolves once the publisher is ready and the subscriber listens on the channel (start-up waits a little for it, never forever). */
  async ready(timeoutMs: number): Promise<boolean> {
    const published = this.publisher.status === 'ready' ? Promise.resolve() : new Promise<void>((resolve) => this.publisher.once('ready', () => resolve()));
    const subscribed = this.subscribed ? Promise.resolve() : new Promise<void>((resolve) => this.subscribedWaiters.add(resolve));
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
    return (await Promise.race([Promise.all([published, subscribed]), timer])) !== 'timeout';
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }

  /**
   * SUBSCRIBE on each new connection of the subscriber. A SUBSCRIBE sent
   * while Redis was unreachable (at start-up) is rejected by ioredis after
   * maxRetriesPerRequest and ioredis never sent it again: that instance then
   * received nothing from the others, ever. Once listening again after an
   * outage, resync: events sent meanwhile were lost for this instance.
   */
  private subscribeChannel(): void {
    this.subscriber.subscribe(this.channel).then(
      () => {
        this.subscribed = true;
        for (const resolve of this.subscribedWaiters) resolve();
        this.subscribedWaiters.clear();
        if (!this.subscriberWasDown) return;
        this.subscriberWasDown = false;
        this.runResync('subscriber reconnected');
      },
      (error: Error) => this.logger.warn('redis subscribe failed; retried on reconnect', { error: error.message }),
    );
  }

  private sendEnvelope(envelope: Envelope): void {
    this.publisher.publish(this.channel, JSON.stringify(envelope)).then(
      () => {
        this.stats.published++;
      },
      (error: Error) => {
        this.stats.publishFailures++;
        this.logger.warn('redis publish failed; other instances will resync when Redis is back', {
          error: error.message,
          publishFailures: this.stats.publishFailures,
        });
      },
    );
  }

  private onMessage(text: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(text) as Envelope;
    } catch {
      this.logger.warn('ignored a malformed event from redis');
      return;
    }
    if (!envelope || typeof envelope !== 'object' || envelope.from === this.instanceId) return; // ours were delivered locally already
    this.stats.received++;
    if ('resync' in envelope) this.runResync('another instance asked');
    else if (!this.bus.receive(envelope.event)) this.logger.warn('ignored an unknown event from redis');
  }

  private runResync(reason: string): void {
    this.stats.resyncs++;
    this.logger.info('resyncing live subscribers from the database', { reason });
    try {
      this.resync();
    } catch (error) {
      this.logger.error('resync failed', { error });
    }
  }
}
