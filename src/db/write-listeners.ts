/**
 * Who is told after every write transaction: after one that committed, with the number of events
 * it publishes, and with 0 after one the database failed (a failed COMMIT on PostgreSQL may still
 * have stored it); not after one its own work rolled back, which changed nothing. The response
 * cache drops what it holds (src/app/response-cache.ts).
 */
import type { Logger } from '../logger';

export type WriteEndedListener = (eventsPublished: number) => void;

export class WriteEndedListeners {
  private readonly listeners: WriteEndedListener[] = [];

  constructor(private readonly logger: Logger) {}

  add(listener: WriteEndedListener): void {
    this.listeners.push(listener);
  }

  /** A listener that throws must never fail a write that committed. */
  notify(eventsPublished: number): void {
    for (const listener of this.listeners) {
      try {
        listener(eventsPublished);
      } catch (error) {
        this.logger.error('write-ended listener failed', { error });
      }
    }
  }
}
