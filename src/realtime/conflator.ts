/**
 * Runs `flush(key)` at most once per `intervalMs` per key, after the changes
 * that asked for it. A change arriving while a flush runs schedules one more
 * flush, so the final state is never skipped. Flushes of different keys are
 * independent; a failing flush is reported and retried on the next change.
 *
 * A change to an idle key (no flush within its interval) flushes at once:
 * in the event loop's next check phase (setImmediate), after the callbacks
 * of the current turn, so the events of one commit (or of one group commit)
 * still make one flush. A timer of 0 ms waited for the next timers phase,
 * at least 1 ms and often more under load, on every first change.
 */
type Timer = { kind: 'timeout'; handle: NodeJS.Timeout } | { kind: 'immediate'; handle: NodeJS.Immediate };

export class Conflator<K> {
  private readonly state = new Map<K, { timer: Timer | null; running: boolean; dirty: boolean; lastFlushAt: number }>();
  private stopped = false;

  constructor(
    private readonly intervalMs: number,
    private readonly flush: (key: K) => Promise<void>,
    private readonly onError: (error: unknown, key: K) => void,
  ) {}

  /** Something about `key` changed: flush it soon (now, if its interval has passed). */
  schedule(key: K): void {
    if (this.stopped) return;
    let entry = this.state.get(key);
    if (!entry) {
      entry = { timer: null, running: false, dirty: false, lastFlushAt: 0 };
      this.state.set(key, entry);
    }
    entry.dirty = true;
    if (entry.timer || entry.running) return;
    const delay = Math.max(0, entry.lastFlushAt + this.intervalMs - Date.now());
    entry.timer =
      delay === 0
        ? { kind: 'immediate', handle: setImmediate(() => void this.run(key)) }
        : { kind: 'timeout', handle: setTimeout(() => void this.run(key), delay) };
  }

  private async run(key: K): Promise<void> {
    const entry = this.state.get(key);
    if (!entry || this.stopped) return;
    entry.timer = null;
    entry.running = true;
    entry.dirty = false;
    entry.lastFlushAt = Date.now();
    try {
      await this.flush(key);
    } catch (error) {
      this.onError(error, key);
    } finally {
      entry.running = false;
      // The key is remembered until its interval has passed: forgotten at once, the next change
      // (say, 20 ms later) found no lastFlushAt and flushed immediately, so a steady stream of
      // changes got a message per change instead of one per interval. A change meanwhile only
      // sets `dirty`; this timer then runs the next flush on time.
      if (!this.stopped) {
        const delay = Math.max(0, entry.lastFlushAt + this.intervalMs - Date.now());
        entry.timer = { kind: 'timeout', handle: setTimeout(() => this.settle(key), delay) };
      }
    }
  }

  /** The interval after a flush has passed: flush again if something changed since, else forget the key. */
  private settle(key: K): void {
    const entry = this.state.get(key);
    if (!entry || this.stopped) return;
    entry.timer = null;
    if (entry.dirty) void this.run(key);
    else this.state.delete(key);
  }

  stop(): void {
    this.stopped = true;
    for (const { timer } of this.state.values()) {
      if (timer?.kind === 'timeout') clearTimeout(timer.handle);
      else if (timer) clearImmediate(timer.handle);
    }
    this.state.clear();
  }
}
