import { buildSchema, ExecutionResult, parse } from 'graphql';
import { CohortPayloads, ExecutionScope, LiveOperation, Payload } from './cohort-payloads';

const operation: LiveOperation = {
  schema: buildSchema('type Query { a: Int }'),
  document: parse('{ a }'),
  operationName: null,
  variableValues: null,
  key: 'op',
};

/** An execution that ends when the test says, reading the viewer (through `scope`) first when asked to. */
function deferredExecution(readsViewer: (scope: ExecutionScope) => boolean) {
  const pending: Array<() => void> = [];
  let scopeOfRun: ExecutionScope | null = null;
  const execute = (() =>
    new Promise<ExecutionResult>((resolve) => {
      const scope = scopeOfRun as ExecutionScope;
      pending.push(() => {
        readsViewer(scope);
        resolve({ data: { a: 1 } });
      });
    })) as unknown as ConstructorParameters<typeof CohortPayloads>[0];
  const scopeFor = (viewerKey: string) => (_item: unknown, onViewerRead?: () => void) => {
    let read = false;
    const scope: ExecutionScope & { readViewer(): void } = {
      contextValue: {},
      viewerKey,
      dependsOnViewer: () => read,
      readViewer: () => {
        read = true;
        onViewerRead?.();
      },
    };
    scopeOfRun = scope;
    return scope;
  };
  return { execute, scopeFor, finish: () => pending.splice(0).forEach((end) => end()) };
}

describe('CohortPayloads.whenShared', () => {
  it('hands the cohort its one payload in one loop once the first execution ends, without executing again', async () => {
    const run = deferredExecution(() => false);
    const payloads = new CohortPayloads(run.execute);
    const item = {};
    expect(payloads.whenShared(item, operation, () => {})).toBe(false); // nothing under way yet

    const first = payloads.payloadFor(item, operation, run.scopeFor('member:1'));
    const taken: Array<Payload | null> = [];
    for (let i = 0; i < 3; i++) expect(payloads.whenShared(item, operation, (payload) => taken.push(payload))).toBe(true);
    expect(taken).toEqual([]);

    run.finish();
    await first;
    expect(taken).toHaveLength(3);
    expect(taken.every((payload) => payload?.json === '{"data":{"a":1}}')).toBe(true);
    expect(payloads.executions).toBe(1);
    // Ended: the next subscriber takes it at once.
    expect(payloads.ready(item, operation)?.json).toBe('{"data":{"a":1}}');
    expect(payloads.whenShared(item, operation, () => {})).toBe(false);
  });

  it('tells the waiters to execute their own when the first execution read its viewer', async () => {
    const run = deferredExecution((scope) => {
      (scope as ExecutionScope & { readViewer(): void }).readViewer();
      return true;
    });
    const payloads = new CohortPayloads(run.execute);
    const item = {};
    const first = payloads.payloadFor(item, operation, run.scopeFor('member:1'));
    const taken: Array<Payload | null> = [];
    payloads.whenShared(item, operation, (payload) => taken.push(payload));

    run.finish();
    expect(taken).toEqual([null]);
    await first;
    expect(payloads.ready(item, operation)).toBeNull();
  });

  it('lets nobody wait for a first execution that read its viewer before it returned (they execute their own at once)', async () => {
    // The viewer is read synchronously, while the first execution is being started.
    let resolveFirst: (result: ExecutionResult) => void = () => {};
    const execute = (() => new Promise<ExecutionResult>((resolve) => (resolveFirst = resolve))) as unknown as ConstructorParameters<typeof CohortPayloads>[0];
    const payloads = new CohortPayloads(execute);
    const item = {};
    const scopeFor = (_item: unknown, onViewerRead?: () => void): ExecutionScope => {
      onViewerRead?.();
      return { contextValue: {}, viewerKey: 'member:1', dependsOnViewer: () => true };
    };
    const first = payloads.payloadFor(item, operation, scopeFor);
    expect(payloads.whenShared(item, operation, () => {})).toBe(false);
    resolveFirst({ data: { a: 1 } });
    await first;
  });
});
