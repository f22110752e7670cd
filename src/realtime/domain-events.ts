/**
 * Domain events: small "X changed" notifications, published only after the
 * transaction that caused them has committed (see db/database.ts), so a
 * rolled-back write never produces one. They carry ids, not state: a
 * listener reads the current state from the database, which keeps them
 * cheap to send to other processes later (Redis) and never stale.
 */
export type DomainEvent =
  /** A poll's tallies, participants or closed flag changed; `version` is the new PollResults.version. */
  | { type: 'pollResultsChanged'; pollId: number; version: number }
  /** A post's views, upvotes or comment count changed. */
  | { type: 'postStatsChanged'; postId: number }
  /** The post has comments up to sequence number `seq` (see Comment.seq). */
  | { type: 'commentAdded'; postId: number; seq: number }
  /**
   * Sign-in sessions of a member ended (logOut; a password change, deletion or suspension may end
   * them all): sockets opened with them must close. `tokenHashes` names the sessions (the stored
   * SHA-256 of their tokens, never the tokens); null means every session of the member.
   */
  | { type: 'sessionsRevoked'; memberId: number; tokenHashes: string[] | null };

export type DomainEventListener = (event: DomainEvent) => void;

/** Carries this process's events to other instances (Redis); must never throw. */
export interface EventRelay {
  send(event: DomainEvent): void;
}

/**
 * The event bus of one process; the live API subscribes to it. Events
 * published here reach local listeners at once and, when a relay is set
 * (several instances), the other instances, whose relay hands them to
 * `receive`.
 */
export class DomainEventBus {
  private readonly listeners = new Set<DomainEventListener>();
  private relay: EventRelay | null = null;

  constructor(private readonly onListenerError: (error: unknown, event: DomainEvent) => void = () => {}) {}

  setRelay(relay: EventRelay | null): void {
    this.relay = relay;
  }

  /** An event of this process: local listeners first (never delayed by the network), then other instances. */
  publish(event: DomainEvent): void {
    this.receive(event);
    this.relay?.send(event);
  }

  /** An event from another instance: local listeners only. */
  receive(event: DomainEvent): void {
    for (const listener of this.listeners) {
      // A failing listener must never fail the write that already committed.
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
  }

  subscribe(listener: DomainEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}
