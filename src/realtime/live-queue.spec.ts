import { emptyMessageCounts, LiveQueue, LiveQueuePolicy } from './live-queue';

interface Change {
  key: number;
  state: string;
}

const overflow = () => new Error('overflow');
const perKey = (maxBacklog = 10): LiveQueuePolicy<Change> => ({ kind: 'latestPerKey', keyOf: (change) => change.key, maxBacklog, overflowError: overflow });

async function drain<T>(queue: LiveQueue<T>, count: number): Promise<T[]> {
  const taken: T[] = [];
  for (let i = 0; i < count; i++) {
    const next = await queue.next();
    if (next.done) break;
    taken.push(next.value);
  }
  return taken;
}

describe("LiveQueue 'latestPerKey'", () => {
  it('keeps the latest unsent item of each key, in the order the keys first waited, and every key', async () => {
    const counts = emptyMessageCounts();
    const queue = new LiveQueue<Change>(perKey(), () => {}, undefined, counts);
    queue.push({ key: 1, state: 'a1' });
    queue.push({ key: 2, state: 'b1' });
    queue.push({ key: 1, state: 'a2' });
    queue.push({ key: 3, state: 'c1' });
    queue.push({ key: 1, state: 'a3' });
    queue.push({ key: 2, state: 'b2' });

    expect(queue.backlog).toBe(3);
    expect(await drain(queue, 3)).toEqual([
      { key: 1, state: 'a3' },
      { key: 2, state: 'b2' },
      { key: 3, state: 'c1' },
    ]);
    expect(counts).toEqual({ sent: 3, superseded: 3, discarded: 0 });
  });

  it('hands an item straight to a waiting consumer, and a key sent already waits again as a new item', async () => {
    const queue = new LiveQueue<Change>(perKey(), () => {});
    const pending = queue.next();
    queue.push({ key: 1, state: 'a1' });
    expect((await pending).value).toEqual({ key: 1, state: 'a1' });
    queue.push({ key: 1, state: 'a2' });
    queue.push({ key: 1, state: 'a3' });
    expect(await drain(queue, 1)).toEqual([{ key: 1, state: 'a3' }]);
  });

  it('ends with the overflow error once more than maxBacklog keys wait', async () => {
    let ended = 0;
    const queue = new LiveQueue<Change>(perKey(2), () => ended++);
    queue.push({ key: 1, state: 'a' });
    queue.push({ key: 2, state: 'b' });
    queue.push({ key: 2, state: 'b2' }); // same key: no growth
    expect(queue.isEnded).toBe(false);
    queue.push({ key: 3, state: 'c' });
    expect(queue.isEnded).toBe(true);
    expect(ended).toBe(1);
    await expect(queue.next()).rejects.toThrow('overflow');
  });
});

describe('LiveQueue.complete', () => {
  it('delivers what waits, then ends; later pushes are ignored and the end is reported once', async () => {
    let ended = 0;
    const queue = new LiveQueue<string>({ kind: 'latest' }, () => ended++);
    queue.push('last state');
    queue.complete();
    queue.push('too late');
    queue.complete();
    expect(ended).toBe(1);
    expect(await queue.next()).toEqual({ value: 'last state', done: false });
    expect(await queue.next()).toEqual({ value: undefined, done: true });
  });

  it('ends a consumer that is already waiting', async () => {
    const queue = new LiveQueue<string>({ kind: 'latest' }, () => {});
    const pending = queue.next();
    queue.complete();
    expect(await pending).toEqual({ value: undefined, done: true });
  });

  it('after complete, fail changes nothing: the last item still arrives', async () => {
    const queue = new LiveQueue<string>({ kind: 'latest' }, () => {});
    queue.push('last');
    queue.complete();
    queue.fail(new Error('ignored'));
    expect(await queue.next()).toEqual({ value: 'last', done: false });
    expect((await queue.next()).done).toBe(true);
  });
});
