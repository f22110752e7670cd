/**
 * The event bus of domain events: small "X changed" notifications, published
 * only after the transaction that caused them has committed (see
 * db/database.ts), so a rolled-back write never produces one. They carry ids,
 * not state: a listener reads the current state from the database, which
 * keeps them cheap to send to other instances (Redis, redis-relay.ts) and
 * never stale. The events themselves are the domain's (src/modules/events.ts):
 * this bus only needs their `type`.
 */
export interface BusEvent {
  type: string;
}

export type DomainEventListener<E extends BusEvent> = (event: E) => void;

/** Carries this process's events to other instances (Redis); must never throw. */
export interface EventRelay<E extends BusEvent> {
  send(event: E): void;
}

/**
 * The event bus of one process; the live API subscribes to it. Events
 * published here reach local listeners at once and, when a relay is set
 * (several instances), the other instances, whose relay hands them to
 * `receive`.
 */
export class DomainEventBus<E extends BusEvent> {
  private readonly listeners = new Set<DomainEventListener<E>>();
  private relay: EventRelay<E> | null = null;
  /** Events of this process published (after their commit), and events received from other instances (metrics). */
  readonly stats = { published: 0, received: 0 };

  constructor(
    /** Whether a value from another instance (parsed JSON) is an event of this bus: anything else is dropped. */
    private readonly isEvent: (value: unknown) => value is E,
    private readonly onListenerError: (error: unknown, event: E) => void = () => {},
  ) {}

  setRelay(relay: EventRelay<E> | null): void {
    this.relay = relay;
  }

  /** An event of this process: local listeners first (never delayed by the network), then other instances. */
  publish(event: E): void {
    this.stats.published++;
    this.deliver(event);
    this.relay?.send(event);
  }

  /** A value from another instance: to local listeners only, if it is an event of this bus; false when dropped. */
  receive(value: unknown): boolean {
    if (!this.isEvent(value)) return false;
    this.stats.received++;
    this.deliver(value);
    return true;
  }

  private deliver(event: E): void {
    for (const listener of this.listeners) {
      // A failing listener must never fail the write that already committed.
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
  }

  subscribe(listener: DomainEventListener<E>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}
