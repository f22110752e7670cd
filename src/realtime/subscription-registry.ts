/**
 * Every active subscription of this process, by connection. The live
 * module adds an entry when a subscription starts and removes it when its
 * stream ends (unsubscribe, socket closed, SLOW_CONSUMER): tests read it to
 * prove nothing leaks, and a metrics endpoint can export it.
 */
export interface ActiveSubscription {
  connectionId: string;
  operationId: string;
  field: string;
  targetId: number;
}

export class SubscriptionRegistry {
  private readonly byConnection = new Map<string, Map<string, ActiveSubscription>>();
  private total = 0;

  add(entry: ActiveSubscription): void {
    let operations = this.byConnection.get(entry.connectionId);
    if (!operations) {
      operations = new Map();
      this.byConnection.set(entry.connectionId, operations);
    }
    if (!operations.has(entry.operationId)) this.total++;
    operations.set(entry.operationId, entry);
  }

  remove(connectionId: string, operationId: string): void {
    const operations = this.byConnection.get(connectionId);
    if (operations?.delete(operationId)) this.total--;
    if (operations && operations.size === 0) this.byConnection.delete(connectionId);
  }

  countFor(connectionId: string): number {
    return this.byConnection.get(connectionId)?.size ?? 0;
  }

  get size(): number {
    return this.total;
  }

  /** Counts by subscription field, e.g. { pollResultsUpdated: 3 }. */
  byField(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const operations of this.byConnection.values()) {
      for (const entry of operations.values()) counts[entry.field] = (counts[entry.field] ?? 0) + 1;
    }
    return counts;
  }
}
