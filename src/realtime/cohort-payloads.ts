/**
 * Once per cohort and change: the payload of one delivered item, executed and serialized once for
 * every subscriber with the same operation (document, operation name, variables) and the same
 * visibility class, however many they are (as Hasura does it). graphql-ws would execute the
 * selection once per subscriber per change: with 10,000 subscribers that was 10,000 executions.
 *
 * - Cohorts: the feeds already hand each visibility class its own item (LiveFeed.deliver: a poll's
 *   results with or without tallies are two items); an operation key (OperationChecks) splits an
 *   item's audience by document and variables. Both together make the cohort.
 * - Viewers: a field may still read something of the subscriber (viewerHasUpvoted, a hidden
 *   comment's body depends on the viewer's role). The execution scope reports whether it did
 *   (src/modules/live/execution-scope.ts tracks every read of the context); then that payload is
 *   that viewer's only, and each other viewer of the cohort gets an execution of their own (one
 *   per viewer, whatever the number of their sockets). Nothing is shared unless proven neutral.
 * - A payload with errors is shared as a result, never as JSON: errors are formatted and logged per
 *   subscriber (each quotes its own request id).
 * - Memory: payloads hang off the item (a WeakMap), so they go when the last queue holding the
 *   item has sent it; an item superseded before anyone took it is never executed.
 */
import { DocumentNode, execute, ExecutionResult, GraphQLSchema } from 'graphql';

/** How one subscriber's operation executes one item: the context its fields resolve with, and who the viewer is. */
export interface ExecutionScope {
  contextValue: unknown;
  /** Subscribers with the same viewer key are the same viewer (every anonymous subscriber is one). */
  viewerKey: string;
  /** Asked after executing: whether any field read something of the viewer, so that the payload is theirs only. */
  dependsOnViewer(): boolean;
}

/**
 * The execution scope of each item, for one subscriber; `onViewerRead` (when given) is called as a
 * field first reads something of the viewer, while the execution is still under way.
 */
export type ScopeFor<T> = (item: T, onViewerRead?: () => void) => ExecutionScope;

/** What a subscription executes for each item; `key` is the same for everyone with the same document, operation and variables. */
export interface LiveOperation {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName: string | null;
  variableValues: Record<string, unknown> | null | undefined;
  key: string;
}

export interface Payload {
  result: ExecutionResult;
  /** The result as JSON, for anyone of the cohort as is; null when it has errors (formatted per subscriber). */
  json: string | null;
}

interface Executed {
  payload: Payload;
  /** The viewer it was executed for, and whether it depends on them. */
  viewerKey: string;
  dependsOnViewer: boolean;
}

/** The first execution of an item for a cohort: `viewerRead` settles as soon as it is known whether others may share it. */
interface FirstExecution {
  executed: Promise<Executed>;
  /** True as soon as a field read the viewer (the others then start their own at once), false once it ended without. */
  viewerRead: Promise<boolean>;
  /** Whom it was executed for. */
  viewerKey: string;
  /** The execution once it has finished (at once when it ran synchronously). */
  settled: Executed | null;
  /** Subscribers of the cohort waiting for it (whenShared), called in one loop once it is known whether they may share it. */
  waiters: Array<(payload: Payload | null) => void> | null;
}

export class CohortPayloads {
  /** Executions so far (a test seam and a figure: once per cohort and change, whatever the audience). */
  executions = 0;
  private readonly byItem = new WeakMap<object, { first: Map<string, FirstExecution>; own: Map<string, Promise<Executed>> }>();

  constructor(private readonly executeOperation: typeof execute = execute) {}

  /** The payload of `item` for a subscriber of `operation` with `scopeFor`: executed by the first subscriber of its cohort to ask. */
  async payloadFor<T>(item: T, operation: LiveOperation, scopeFor: ScopeFor<T>): Promise<Payload> {
    if (typeof item !== 'object' || item === null) return (await this.run(item, operation, scopeFor(item))).payload;
    let executions = this.byItem.get(item);
    if (!executions) {
      executions = { first: new Map(), own: new Map() };
      this.byItem.set(item, executions);
    }
    let first = executions.first.get(operation.key);
    if (!first) {
      first = this.runFirst(item, operation, scopeFor);
      executions.first.set(operation.key, first);
      executions.own.set(`${operation.key}\n${first.viewerKey}`, first.executed);
    }
    if (!(await first.viewerRead)) return (await first.executed).payload;
    // It reads something of its viewer: shared only with that same viewer; anyone else gets their own
    // execution, started at once (in the same turn as the first one's viewer reads, so that the
    // DataLoaders batch every viewer's reads of this item into one query, as one flush did before).
    const scope = scopeFor(item);
    const key = `${operation.key}\n${scope.viewerKey}`;
    let own = executions.own.get(key);
    if (!own) {
      own = Promise.resolve(this.run(item, operation, scope));
      executions.own.set(key, own);
    }
    return (await own).payload;
  }

  /**
   * The shared payload of `item` for `operation`, if its cohort's execution has already finished
   * and may be shared; null otherwise (then payloadFor). Lets the writers of a large cohort write
   * the frame in the same turn, with no further promise per subscriber.
   */
  ready<T>(item: T, operation: LiveOperation): Payload | null {
    if (typeof item !== 'object' || item === null) return null;
    const settled = this.byItem.get(item)?.first.get(operation.key)?.settled;
    return settled && !settled.dependsOnViewer ? settled.payload : null;
  }

  /**
   * Calls `take` once the cohort's shared payload of `item` is known, if its execution is under way:
   * with the payload when it may be shared, with null when not (it read the viewer, or failed: then
   * ask payloadFor). False when there is no execution under way to wait for (ask payloadFor). The
   * writers of a large cohort thus wait as one list, written in one loop when the execution ends,
   * instead of each holding a chain of promises.
   */
  whenShared<T>(item: T, operation: LiveOperation, take: (payload: Payload | null) => void): boolean {
    if (typeof item !== 'object' || item === null) return false;
    const first = this.byItem.get(item)?.first.get(operation.key);
    if (!first?.waiters) return false;
    first.waiters.push(take);
    return true;
  }

  private runFirst<T>(item: T, operation: LiveOperation, scopeFor: ScopeFor<T>): FirstExecution {
    let resolveViewerRead: (viewerRead: boolean) => void = () => {};
    const viewerRead = new Promise<boolean>((resolve) => (resolveViewerRead = resolve));
    // A field may read the viewer while `run` is still executing synchronously, before `first` exists:
    // then nobody may wait for this execution (waiters: null), and later writers go to payloadFor,
    // which starts their own executions at once, batched with this one's reads.
    let first: FirstExecution | null = null;
    let viewerReadBeforeFirst = false;
    const settle = (read: boolean, shared: Payload | null) => {
      resolveViewerRead(read);
      if (!first) {
        viewerReadBeforeFirst ||= read;
        return;
      }
      const waiters = first.waiters;
      if (!waiters) return;
      first.waiters = null;
      for (const take of waiters) {
        // One waiter's failure must not keep the rest of the cohort unwritten.
        try {
          take(shared);
        } catch {
          // take() reports its own errors to its subscriber (FrameWriter); nothing more to do here.
        }
      }
    };
    const scope = scopeFor(item, () => settle(true, null));
    const outcome = this.run(item, operation, scope);
    const executed = Promise.resolve(outcome);
    const settled = outcome instanceof Promise ? null : outcome;
    first = { executed, viewerRead, viewerKey: scope.viewerKey, settled, waiters: viewerReadBeforeFirst ? null : [] };
    const done = first;
    if (done.settled) settle(done.settled.dependsOnViewer, done.settled.dependsOnViewer ? null : done.settled.payload);
    else
      executed.then(
        (result) => {
          done.settled = result;
          settle(result.dependsOnViewer, result.dependsOnViewer ? null : result.payload);
        },
        () => settle(false, null), // its error reaches every subscriber through `executed` (payloadFor)
      );
    return done;
  }

  /** Executes (synchronously when every field resolved synchronously, as graphql-js allows). */
  private run<T>(item: T, operation: LiveOperation, scope: ExecutionScope): Executed | Promise<Executed> {
    this.executions++;
    const result = this.executeOperation({
      schema: operation.schema,
      document: operation.document,
      operationName: operation.operationName,
      variableValues: operation.variableValues,
      rootValue: item,
      contextValue: scope.contextValue,
    });
    const executedOf = (done: ExecutionResult): Executed => ({
      payload: { result: done, json: done.errors ? null : JSON.stringify(done) },
      viewerKey: scope.viewerKey,
      dependsOnViewer: scope.dependsOnViewer(),
    });
    return result instanceof Promise ? result.then(executedOf) : executedOf(result as ExecutionResult);
  }
}
