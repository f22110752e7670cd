/**
 * When caches kept across requests (the response cache) may
 * trust what they hold. On one instance every change goes through this
 * process, which tells its caches at once. Scaled out (REDIS_URL), changes
 * made by other instances arrive over the Redis relay: while the relay does
 * not hear the other instances (Redis down, the subscriber reconnecting),
 * the caches are bypassed, and when it hears them again (the relay's
 * resync) they drop everything they held, since what they missed is unknown.
 */
export interface RelayHearing {
  /** Whether the relay's subscriber currently listens on the channel of the other instances. */
  readonly listening: boolean;
}

export class CacheCoherence {
  private relay: RelayHearing | null = null;
  private readonly resetListeners = new Set<() => void>();

  /** `scaledOut`: REDIS_URL is set, so other instances may change the data. */
  constructor(private readonly scaledOut: boolean) {}

  /** The relay once it is started (null again when it stops). */
  attach(relay: RelayHearing | null): void {
    this.relay = relay;
  }

  /** Whether a cache may serve or store an entry now. */
  get trusted(): boolean {
    return !this.scaledOut || (this.relay?.listening ?? false);
  }

  /** Everything cached may be stale (the relay heard the other instances again after a gap). */
  reset(): void {
    for (const listener of this.resetListeners) listener();
  }

  onReset(listener: () => void): () => void {
    this.resetListeners.add(listener);
    return () => this.resetListeners.delete(listener);
  }
}
