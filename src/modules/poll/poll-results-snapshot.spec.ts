/**
 * Review test (issue #12): a flush whose read began while the poll was watched by an earlier
 * audience must not leave its snapshot for subscribers joining a later watch period, when a
 * change event arrived while nobody watched (changed() does not count it then, and onLastLeft
 * reset the counter to 0, so the old flush's `change` of 0 still matches).
 */
import type { Logger } from '../../logger';
import { SubscriptionRegistry } from '../../realtime/subscription-registry';
import type { SharedLoaders } from '../loaders';
import { Post } from '../post/post.entity';
import { PollResultsFeed } from './poll-results.feed';
import type { PollResults } from './poll-results';

const silent: Logger = { error() {}, warn() {}, info() {}, debug() {}, child: () => silent } as unknown as Logger;

function pollAt(version: number): Post {
  return Object.assign(new Post(), {
    id: 7,
    kind: 'POLL',
    deletedAt: null,
    moderationState: 'VISIBLE',
    resultsVisibility: 'ALWAYS',
    authorId: 1,
    resultsVersion: version,
    totalVotes: version,
    participantCount: version,
    resultsUpdatedAt: new Date(),
    isClosed: false,
    closesAt: null,
  });
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

type State = { poll: Post; options: never[]; voters: Set<number> };

describe('PollResultsFeed snapshot reuse across watch periods', () => {
  it('a subscriber joining after a change gets the changed results (or a later message with them)', async () => {
    let current = pollAt(1);
    const reads: Array<ReturnType<typeof deferred<State>>> = [];
    const feed = new PollResultsFeed(
      {
        findPosts: async () => [current],
        liveState: () => {
          // The first two reads are held by the test; any later one reads the database as it is.
          if (reads.length >= 2) return Promise.resolve({ poll: current, options: [], voters: new Set<number>() });
          const read = deferred<State>();
          reads.push(read);
          return read.promise;
        },
        createSharedLoaders: () => ({}) as SharedLoaders,
      },
      new SubscriptionRegistry(),
      0,
      silent,
    );
    // A subscribes; its first read begins (version 1 in the database) ...
    const aSubscribed = feed.subscribe(null, null, 7);
    await new Promise((r) => setImmediate(r));
    expect(reads).toHaveLength(1);
    const stateBeforeVote: State = { poll: pollAt(1), options: [], voters: new Set() };
    // ... A leaves at once: nobody watches the poll.
    const aQueueEnded = (feed as unknown as { subscribers: Map<number, Set<{ queue: { return(): Promise<unknown> } }>> }).subscribers.get(7)!;
    for (const subscriber of [...aQueueEnded]) await subscriber.queue.return();
    // A vote commits (version 2); its event arrives while nobody watches.
    current = pollAt(2);
    feed.schedule(7);
    await new Promise((r) => setTimeout(r, 5)); // its flush runs: nobody to send to
    // B subscribes: its own read begins.
    const bSubscribed = feed.subscribe(null, null, 7);
    await new Promise((r) => setImmediate(r));
    expect(reads).toHaveLength(2);
    // A's old read completes now, with the state from before the vote.
    reads[0].resolve(stateBeforeVote);
    await aSubscribed;
    // C joins before B's read completes.
    const cSubscribed = feed.subscribe(null, null, 7);
    await new Promise((r) => setImmediate(r));
    reads[1].resolve({ poll: pollAt(2), options: [], voters: new Set() });
    await bSubscribed;
    const c = await cSubscribed;
    await new Promise((r) => setTimeout(r, 20));
    // Everything C holds: its newest message must be version 2.
    const seen: number[] = [];
    while (c.backlog > 0) seen.push(((await c.next()).value as PollResults).version);
    expect(seen[seen.length - 1]).toBe(2);
    feed.stop();
  });
});
